#include "ecgad/exact_gemm.h"

#include <algorithm>  // IWYU pragma: keep (std::min in exact_gemm_tiles.inc)
#include <cmath>
#include <cstdlib>
#include <string>
#include <type_traits>  // IWYU pragma: keep (std::is_same_v in exact_gemm_tiles.inc)

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

namespace ecgad {

namespace {

using Index = std::ptrdiff_t;

// Portable: one float at a time, every step std::fma (exact in software where the CPU has no FMA instruction).
namespace portable {
struct Full {
  using type = float;
  static constexpr Index lanes = 1;
  static float load(const float* p) { return *p; }
  static void store(float* p, float v) { *p = v; }
  static float broadcast(float x) { return x; }
  static float fma(float a, float b, float c) { return std::fma(a, b, c); }
};
using Half = Full;
using Quarter = Full;
constexpr Index kRowVectors = 4, kColumns = 4;
#include "exact_gemm_tiles.inc"  // IWYU pragma: keep NOLINT(readability-duplicate-include)
}  // namespace portable

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ECGAD_X86_KERNELS 1

// The vector sets, each compiled for its own instructions (a function attribute applied to every function of the
// region: the tile templates included there too).
#define ECGAD_VECTOR_SET(Name, Type, Lanes, Load, Store, Set1, Fmadd)  \
  struct Name {                                                        \
    using type = Type;                                                 \
    static constexpr Index lanes = Lanes;                              \
    static type load(const float* p) { return Load(p); }               \
    static void store(float* p, type v) { Store(p, v); }               \
    static type broadcast(float x) { return Set1(x); }                 \
    static type fma(type a, type b, type c) { return Fmadd(a, b, c); } \
  }

#ifdef __clang__
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
// AVX2: 16 vector registers, 12 accumulators (3 rows of W by 4 beats), 3 rows of W and a broadcast.
namespace avx2 {
ECGAD_VECTOR_SET(Full, __m256, 8, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps, _mm256_fmadd_ps);
ECGAD_VECTOR_SET(Half, __m128, 4, _mm_loadu_ps, _mm_storeu_ps, _mm_set1_ps, _mm_fmadd_ps);
using Quarter = Half;
constexpr Index kRowVectors = 3, kColumns = 4;
#include "exact_gemm_tiles.inc"  // IWYU pragma: keep NOLINT(readability-duplicate-include)
}  // namespace avx2
#ifdef __clang__
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

// AVX-512F only (no AVX-512VL: the half and quarter vectors are AVX's own), the extensions the dispatch checks.
#ifdef __clang__
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#endif
namespace avx512 {
ECGAD_VECTOR_SET(Full, __m512, 16, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_set1_ps, _mm512_fmadd_ps);
ECGAD_VECTOR_SET(Half, __m256, 8, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps, _mm256_fmadd_ps);
ECGAD_VECTOR_SET(Quarter, __m128, 4, _mm_loadu_ps, _mm_storeu_ps, _mm_set1_ps, _mm_fmadd_ps);
// 32 vector registers: 24 accumulators (3 rows of W by 8 beats).
constexpr Index kRowVectors = 3, kColumns = 8;
#include "exact_gemm_tiles.inc"  // IWYU pragma: keep NOLINT(readability-duplicate-include)
}  // namespace avx512
#ifdef __clang__
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#undef ECGAD_VECTOR_SET
#endif

void run(GemmKernel kernel, float* z, Index M, Index N, const float* W, Index K, const float* h, Index cs, Index ks) {
  if (M <= 0 || N <= 0 || K <= 0) return;
  switch (gemm_kernel_to_run(kernel)) {
#ifdef ECGAD_X86_KERNELS
    case GemmKernel::avx512: return avx512::product(z, M, N, W, K, h, cs, ks);
    case GemmKernel::avx2: return avx2::product(z, M, N, W, K, h, cs, ks);
#endif
    default: return portable::product(z, M, N, W, K, h, cs, ks);
  }
}

// z (M, N) += W (M, K) h, h(k, j) at h[j * cs + k * ks]: one std::fma chain per element, k ascending.
void run_double(double* z, Index M, Index N, const double* W, Index K, const double* h, Index cs, Index ks) {
  for (Index j = 0; j < N; ++j) {
    for (Index k = 0; k < K; ++k) {
      const double hk = h[j * cs + k * ks];
      for (Index o = 0; o < M; ++o) z[j * M + o] = std::fma(W[k * M + o], hk, z[j * M + o]);
    }
  }
}

}  // namespace

bool gemm_kernel_supported(GemmKernel kernel) {
  switch (kernel) {
#ifdef ECGAD_X86_KERNELS
    case GemmKernel::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case GemmKernel::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    case GemmKernel::avx512:
    case GemmKernel::avx2: return false;
#endif
    default: return true;
  }
}

GemmKernel gemm_kernel_to_run(GemmKernel requested) {
  if (requested == GemmKernel::automatic) return best_gemm_kernel();
  return gemm_kernel_supported(requested) ? requested : GemmKernel::portable;
}

GemmKernel best_gemm_kernel() {
  GemmKernel asked = GemmKernel::automatic;
  if (const char* name = std::getenv("ECGAD_KERNEL");
      name != nullptr && parse_gemm_kernel(name, asked) && asked != GemmKernel::automatic) {
    return gemm_kernel_supported(asked) ? asked : GemmKernel::portable;
  }
  if (gemm_kernel_supported(GemmKernel::avx512)) return GemmKernel::avx512;
  if (gemm_kernel_supported(GemmKernel::avx2)) return GemmKernel::avx2;
  return GemmKernel::portable;
}

bool parse_gemm_kernel(const std::string& name, GemmKernel& kernel) {
  for (GemmKernel k : {GemmKernel::automatic, GemmKernel::portable, GemmKernel::avx2, GemmKernel::avx512}) {
    if (name == gemm_kernel_name(k)) {
      kernel = k;
      return true;
    }
  }
  if (!name.empty()) return false;
  kernel = GemmKernel::automatic;
  return true;
}

const char* gemm_kernel_name(GemmKernel kernel) {
  switch (kernel) {
    case GemmKernel::avx512: return "avx512";
    case GemmKernel::avx2: return "avx2";
    case GemmKernel::portable: return "portable";
    default: return "automatic";
  }
}

void exact_gemm(float* z, const float* W, const float* h, Index M, Index K, Index N, GemmKernel kernel) {
  run(kernel, z, M, N, W, K, h, K, 1);
}

void exact_gemm_abt(float* C, const float* A, const float* Bt, Index M, Index P, Index L, GemmKernel kernel) {
  run(kernel, C, M, P, A, L, Bt, 1, P);
}

void exact_gemm(double* z, const double* W, const double* h, Index M, Index K, Index N, GemmKernel /*kernel*/) {
  run_double(z, M, N, W, K, h, K, 1);
}

void exact_gemm_abt(double* C, const double* A, const double* Bt, Index M, Index P, Index L, GemmKernel /*kernel*/) {
  run_double(C, M, P, A, L, Bt, 1, P);
}

}  // namespace ecgad
