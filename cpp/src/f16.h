// IEEE half precision to float (the file's embedding is F16; see q8.h for how it is kept in memory).
#pragma once
#include <cstdint>

float f16_to_f32(uint16_t h);
