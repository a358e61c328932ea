/** Every shipped translation by language code; English is the source table in ../strings. */
import type { Strings } from '../strings';
import type { LanguageCode } from './languages';
import { ar } from './ar';
import { es } from './es';
import { fr } from './fr';
import { hi } from './hi';
import { pt } from './pt';
import { sw } from './sw';

export const TRANSLATIONS: Record<Exclude<LanguageCode, 'en'>, Strings> & Partial<Record<'en', Strings>> = { es, fr, pt, sw, hi, ar };
