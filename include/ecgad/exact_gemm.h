// The models' float matrix products, written out so that every output element is one chain of fused
// multiply-adds in a fixed order (k = 0, 1, 2, ... for z += W h), whatever the matrix sizes, the beat's place
// in the batch, the vector width of the CPU or the compiler's flags. So a beat's result does not depend on the
// beats next to it, and the AVX-512, AVX2 and portable kernels, chosen at run time, give the same bits: every
// build (x86-64-v2, -v3, native) trains the same model on every x86-64 CPU. The fusing is written in the code
// (FMA intrinsics, std::fma), not left to -ffp-contract. On a CPU without FMA the portable kernel's std::fma is
// done in software by the C library: exact, about 10x slower than the hardware instruction.
// All matrices are column-major and dense (the leading dimension is the row count).
#pragma once

#include <cstddef>
#include <string>

namespace ecgad {

enum class GemmKernel { automatic, portable, avx2, avx512 };

// What `automatic` runs on this CPU: avx512 (AVX-512F), else avx2 (AVX2 and FMA), else portable. The
// environment variable ECGAD_KERNEL=portable|avx2|avx512 picks one instead (portable where this CPU cannot run
// it), to show that every kernel trains and scores the same bits, or to time them.
GemmKernel best_gemm_kernel();
const char* gemm_kernel_name(GemmKernel kernel);
// "automatic", "portable", "avx2", "avx512" (and "" for automatic); false for anything else.
bool parse_gemm_kernel(const std::string& name, GemmKernel& kernel);
// Whether this CPU can run `kernel` (automatic and portable: always).
bool gemm_kernel_supported(GemmKernel kernel);

// z (M, N) += W (M, K) h (K, N).
void exact_gemm(float* z, const float* W, const float* h, std::ptrdiff_t M, std::ptrdiff_t K, std::ptrdiff_t N,
                GemmKernel kernel = GemmKernel::automatic);

// C (M, P) += A (M, L) Bt (P, L)^T: each C(o, p) adds A(o, l) Bt(p, l) for l = 0, 1, 2, ... in order.
void exact_gemm_abt(float* C, const float* A, const float* Bt, std::ptrdiff_t M, std::ptrdiff_t P, std::ptrdiff_t L,
                    GemmKernel kernel = GemmKernel::automatic);

// The same two products in double (the gradient checks): plain loops, each element one std::fma chain in the
// same order. There is one double kernel; `kernel` is accepted so that code templated on the type calls both alike.
void exact_gemm(double* z, const double* W, const double* h, std::ptrdiff_t M, std::ptrdiff_t K, std::ptrdiff_t N,
                GemmKernel kernel = GemmKernel::automatic);
void exact_gemm_abt(double* C, const double* A, const double* Bt, std::ptrdiff_t M, std::ptrdiff_t P, std::ptrdiff_t L,
                    GemmKernel kernel = GemmKernel::automatic);

// The kernel a float product asked for `requested` runs on this CPU: automatic is the best one, and a kernel
// the CPU cannot run falls back to portable.
GemmKernel gemm_kernel_to_run(GemmKernel requested);

}  // namespace ecgad
