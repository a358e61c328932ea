# bitnet.cpp ggml_vec_dot_i2_i8_s_Nx1, NEON with dot product (__ARM_FEATURE_DOTPROD), PARALLEL_SIZE 8: one inner
# iteration (1 weight row x 8 tokens x 64 elements), listed by hand from the intrinsics in src/ggml-bitnet-mad.cpp
# (129557d); pairs of adjacent 16-byte activation loads written as LDP, as compilers do. Not compiler output.
# label: bitnet.cpp NEON sdot (128-bit), 1 row x 8 tokens; macs: 512; triple: aarch64; mcpu: cortex-a76
ldr q0, [x0], #16
ushr v1.16b, v0.16b, #2
ushr v2.16b, v0.16b, #4
ushr v3.16b, v0.16b, #6
and v0.16b, v0.16b, v31.16b
and v1.16b, v1.16b, v31.16b
and v2.16b, v2.16b, v31.16b
and v3.16b, v3.16b, v31.16b
ldp q6, q7, [x1, #32]
ldp q4, q5, [x1], #64
sdot v16.4s, v3.16b, v4.16b
sdot v16.4s, v2.16b, v5.16b
sdot v16.4s, v1.16b, v6.16b
sdot v16.4s, v0.16b, v7.16b
ldp q6, q7, [x2, #32]
ldp q4, q5, [x2], #64
sdot v17.4s, v3.16b, v4.16b
sdot v17.4s, v2.16b, v5.16b
sdot v17.4s, v1.16b, v6.16b
sdot v17.4s, v0.16b, v7.16b
ldp q6, q7, [x3, #32]
ldp q4, q5, [x3], #64
sdot v18.4s, v3.16b, v4.16b
sdot v18.4s, v2.16b, v5.16b
sdot v18.4s, v1.16b, v6.16b
sdot v18.4s, v0.16b, v7.16b
ldp q6, q7, [x4, #32]
ldp q4, q5, [x4], #64
sdot v19.4s, v3.16b, v4.16b
sdot v19.4s, v2.16b, v5.16b
sdot v19.4s, v1.16b, v6.16b
sdot v19.4s, v0.16b, v7.16b
ldp q6, q7, [x5, #32]
ldp q4, q5, [x5], #64
sdot v20.4s, v3.16b, v4.16b
sdot v20.4s, v2.16b, v5.16b
sdot v20.4s, v1.16b, v6.16b
sdot v20.4s, v0.16b, v7.16b
ldp q6, q7, [x6, #32]
ldp q4, q5, [x6], #64
sdot v21.4s, v3.16b, v4.16b
sdot v21.4s, v2.16b, v5.16b
sdot v21.4s, v1.16b, v6.16b
sdot v21.4s, v0.16b, v7.16b
ldp q6, q7, [x7, #32]
ldp q4, q5, [x7], #64
sdot v22.4s, v3.16b, v4.16b
sdot v22.4s, v2.16b, v5.16b
sdot v22.4s, v1.16b, v6.16b
sdot v22.4s, v0.16b, v7.16b
ldp q6, q7, [x8, #32]
ldp q4, q5, [x8], #64
sdot v23.4s, v3.16b, v4.16b
sdot v23.4s, v2.16b, v5.16b
sdot v23.4s, v1.16b, v6.16b
sdot v23.4s, v0.16b, v7.16b
subs x9, x9, #1
b.ne 0
