# What 512-bit VNNI would allow for the same loop (NOT bitnet.cpp's code: its stored I2_S kernels, src/ggml-bitnet-mad.cpp
# at 129557d, use 256-bit AVX2 intrinsics only): 1 weight row x 4 tokens x 256 elements per iteration, each
# VPDPBUSD multiplying 64 code bytes by 64 activations and adding into i32 lanes (no separate accumulate), written
# by hand. Two accumulators per token keep VPDPBUSD's latency off the critical path.
# label: 512-bit VNNI (hypothetical), 1 row x 4 tokens; macs: 1024; triple: x86_64; mcpu: sapphirerapids
vmovdqu64 zmm0, zmmword ptr [rsi]
vpsrlw zmm1, zmm0, 2
vpsrlw zmm2, zmm0, 4
vpsrlw zmm3, zmm0, 6
vpandq zmm0, zmm0, zmm31
vpandq zmm1, zmm1, zmm31
vpandq zmm2, zmm2, zmm31
vpandq zmm3, zmm3, zmm31
vpdpbusd zmm8, zmm3, zmmword ptr [rdx]
vpdpbusd zmm9, zmm2, zmmword ptr [rdx + 64]
vpdpbusd zmm8, zmm1, zmmword ptr [rdx + 128]
vpdpbusd zmm9, zmm0, zmmword ptr [rdx + 192]
vpdpbusd zmm10, zmm3, zmmword ptr [rdx + r8]
vpdpbusd zmm11, zmm2, zmmword ptr [rdx + r8 + 64]
vpdpbusd zmm10, zmm1, zmmword ptr [rdx + r8 + 128]
vpdpbusd zmm11, zmm0, zmmword ptr [rdx + r8 + 192]
vpdpbusd zmm12, zmm3, zmmword ptr [rdx + 2*r8]
vpdpbusd zmm13, zmm2, zmmword ptr [rdx + 2*r8 + 64]
vpdpbusd zmm12, zmm1, zmmword ptr [rdx + 2*r8 + 128]
vpdpbusd zmm13, zmm0, zmmword ptr [rdx + 2*r8 + 192]
vpdpbusd zmm14, zmm3, zmmword ptr [rdx + r9]
vpdpbusd zmm15, zmm2, zmmword ptr [rdx + r9 + 64]
vpdpbusd zmm14, zmm1, zmmword ptr [rdx + r9 + 128]
vpdpbusd zmm15, zmm0, zmmword ptr [rdx + r9 + 192]
add rsi, 64
add rdx, 256
cmp rsi, rdi
jne 0
