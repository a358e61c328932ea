/**
 * The camera is let go when the person gives up scanning: "Stop the camera", or closing the panel. Chromium's own
 * fake camera (a moving test pattern with no code in it) keeps the scan waiting.
 */
import { expect, test } from '@playwright/test';
import { fakeCamera, openClassroom, trackCameraStreams } from './steps';

test.use(fakeCamera());

test('Stop the camera and closing the panel both end the camera stream', async ({ page }) => {
  const states = await trackCameraStreams(page);
  await page.setViewportSize({ width: 360, height: 740 });
  await openClassroom(page);

  await page.getByRole('button', { name: 'Scan the code' }).click();
  await expect(page.getByTestId('classroom-camera')).toBeVisible();
  await expect.poll(states).toEqual(['live']);
  await page.getByRole('button', { name: 'Stop the camera' }).click();
  await expect.poll(states).toEqual(['ended']);
  await expect(page.getByTestId('classroom-camera')).toHaveCount(0);

  await page.getByRole('button', { name: 'Scan the code' }).click();
  await expect.poll(states).toEqual(['ended', 'live']);
  await page.getByRole('button', { name: 'Get from a classroom computer' }).click(); // closes the panel
  await expect.poll(states).toEqual(['ended', 'ended']);
});
