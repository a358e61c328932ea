# bitnet.cpp ggml_vec_dot_i2_i8_s_Nx1, AVX2, PARALLEL_SIZE 4 (ACT_PARALLEL, include/gemm-config.h): one inner iteration
# (1 weight row x 4 tokens x 128 elements), listed by hand from the intrinsics in src/ggml-bitnet-mad.cpp (129557d),
# with each activation load folded into its VPMADDUBSW as compilers do. Not compiler output.
# label: bitnet.cpp AVX2 (256-bit), 1 row x 4 tokens; macs: 512; triple: x86_64; mcpu: znver3
vmovdqu ymm0, ymmword ptr [rsi]
vpsrlw ymm1, ymm0, 2
vpsrlw ymm2, ymm0, 4
vpsrlw ymm3, ymm0, 6
vpand ymm0, ymm0, ymm15
vpand ymm1, ymm1, ymm15
vpand ymm2, ymm2, ymm15
vpand ymm3, ymm3, ymm15
vpmaddubsw ymm4, ymm3, ymmword ptr [rdx]
vpmaddubsw ymm5, ymm2, ymmword ptr [rdx + 32]
vpmaddubsw ymm6, ymm1, ymmword ptr [rdx + 64]
vpmaddubsw ymm7, ymm0, ymmword ptr [rdx + 96]
vpaddw ymm4, ymm4, ymm5
vpaddw ymm6, ymm6, ymm7
vpaddw ymm4, ymm4, ymm6
vpaddw ymm8, ymm8, ymm4
vpmaddubsw ymm12, ymm3, ymmword ptr [rdx + r8]
vpmaddubsw ymm13, ymm2, ymmword ptr [rdx + r8 + 32]
vpmaddubsw ymm14, ymm1, ymmword ptr [rdx + r8 + 64]
vpmaddubsw ymm7, ymm0, ymmword ptr [rdx + r8 + 96]
vpaddw ymm12, ymm12, ymm13
vpaddw ymm14, ymm14, ymm7
vpaddw ymm12, ymm12, ymm14
vpaddw ymm9, ymm9, ymm12
vpmaddubsw ymm4, ymm3, ymmword ptr [rdx + 2*r8]
vpmaddubsw ymm5, ymm2, ymmword ptr [rdx + 2*r8 + 32]
vpmaddubsw ymm6, ymm1, ymmword ptr [rdx + 2*r8 + 64]
vpmaddubsw ymm7, ymm0, ymmword ptr [rdx + 2*r8 + 96]
vpaddw ymm4, ymm4, ymm5
vpaddw ymm6, ymm6, ymm7
vpaddw ymm4, ymm4, ymm6
vpaddw ymm10, ymm10, ymm4
vpmaddubsw ymm12, ymm3, ymmword ptr [rdx + r9]
vpmaddubsw ymm13, ymm2, ymmword ptr [rdx + r9 + 32]
vpmaddubsw ymm14, ymm1, ymmword ptr [rdx + r9 + 64]
vpmaddubsw ymm7, ymm0, ymmword ptr [rdx + r9 + 96]
vpaddw ymm12, ymm12, ymm13
vpaddw ymm14, ymm14, ymm7
vpaddw ymm12, ymm12, ymm14
vpaddw ymm11, ymm11, ymm12
add rsi, 32
add rdx, 128
cmp rsi, rdi
jne 0
