#include "ecgad/exact_gemm.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ecgad {

namespace {

using Index = std::ptrdiff_t;

template <Index Lanes>
struct Vec {
  typedef float type __attribute__((
      vector_size(Lanes * sizeof(float))));  // NOLINT(modernize-use-using): a using-alias drops the attribute
};

// Both products are "z (M, N) += W (M, K) h" with h(k, j) at h[j * col_stride + k * k_stride]: (K, N) column-major
// for exact_gemm, Bt transposed for exact_gemm_abt. A tile of RV vectors of rows by C columns is held in
// registers across a chunk of k; every element is one FMA chain, k ascending, so the tile shapes, the chunking
// and the vector width change nothing in the result. (x - 0 broadcasts x exactly, -0.0 included.)
template <Index Lanes, Index RV, Index C>
[[gnu::always_inline]] inline void tile(float* z, Index M, const float* W, const float* h, Index col_stride,
                                        Index k_stride, Index o0, Index j0, Index k0, Index k1) {
  using V = typename Vec<Lanes>::type;
  V acc[C][RV];
#pragma GCC unroll 8
  for (Index c = 0; c < C; ++c) {
#pragma GCC unroll 8
    for (Index r = 0; r < RV; ++r) std::memcpy(&acc[c][r], z + (j0 + c) * M + o0 + r * Lanes, sizeof(V));
  }
  for (Index k = k0; k < k1; ++k) {
    V w[RV];
#pragma GCC unroll 8
    for (Index r = 0; r < RV; ++r) std::memcpy(&w[r], W + k * M + o0 + r * Lanes, sizeof(V));
#pragma GCC unroll 8
    for (Index c = 0; c < C; ++c) {
      const V b = h[(j0 + c) * col_stride + k * k_stride] - V{};
#pragma GCC unroll 8
      for (Index r = 0; r < RV; ++r) acc[c][r] += w[r] * b;
    }
  }
#pragma GCC unroll 8
  for (Index c = 0; c < C; ++c) {
#pragma GCC unroll 8
    for (Index r = 0; r < RV; ++r) std::memcpy(z + (j0 + c) * M + o0 + r * Lanes, &acc[c][r], sizeof(V));
  }
}

// The rows from o0 on, in tiles of RV vectors by C columns (the last columns one by one); returns the first row
// left over.
template <Index Lanes, Index RV, Index C>
[[gnu::always_inline]] inline Index row_tiles(float* z, Index M, Index N, const float* W, const float* h, Index cs,
                                              Index ks, Index o0, Index k0, Index k1) {
  for (; o0 + RV * Lanes <= M; o0 += RV * Lanes) {
    Index j0 = 0;
    for (; j0 + C <= N; j0 += C) tile<Lanes, RV, C>(z, M, W, h, cs, ks, o0, j0, k0, k1);
    for (; j0 < N; ++j0) tile<Lanes, RV, 1>(z, M, W, h, cs, ks, o0, j0, k0, k1);
  }
  return o0;
}

// Chunks of k keep the W rows a tile reads (RV vectors by kc) in the L1 cache while the tile walks the columns.
// The rows after the last full tile go in single vectors, then half and quarter vectors, then one by one,
// always C columns at a time, so that C chains of FMAs overlap.
template <Index Lanes, Index RV, Index C>
[[gnu::always_inline]] inline void product(float* z, Index M, Index N, const float* W, Index K, const float* h,
                                           Index cs, Index ks) {
  constexpr Index kc = 128;
  for (Index k0 = 0; k0 < K; k0 += kc) {
    const Index k1 = std::min(K, k0 + kc);
    Index o0 = row_tiles<Lanes, RV, C>(z, M, N, W, h, cs, ks, 0, k0, k1);
    o0 = row_tiles<Lanes, 1, C>(z, M, N, W, h, cs, ks, o0, k0, k1);
    if constexpr (Lanes >= 8) o0 = row_tiles<Lanes / 2, 1, C>(z, M, N, W, h, cs, ks, o0, k0, k1);
    if constexpr (Lanes >= 16) o0 = row_tiles<Lanes / 4, 1, C>(z, M, N, W, h, cs, ks, o0, k0, k1);
    for (; o0 < M; ++o0) {
      Index j0 = 0;
      for (; j0 + C <= N; j0 += C) {
        float a[C];
        for (Index c = 0; c < C; ++c) a[c] = z[(j0 + c) * M + o0];
        for (Index k = k0; k < k1; ++k) {
          const float w = W[k * M + o0];
          for (Index c = 0; c < C; ++c) a[c] = __builtin_fmaf(w, h[(j0 + c) * cs + k * ks], a[c]);
        }
        for (Index c = 0; c < C; ++c) z[(j0 + c) * M + o0] = a[c];
      }
      for (; j0 < N; ++j0) {
        float a = z[j0 * M + o0];
        for (Index k = k0; k < k1; ++k) a = __builtin_fmaf(W[k * M + o0], h[j0 * cs + k * ks], a);
        z[j0 * M + o0] = a;
      }
    }
  }
}

// Register tiles: AVX2 has 16 vector registers (12 accumulators, 3 rows of W, a broadcast), AVX-512 has 32.
void product_portable(float* z, Index M, Index N, const float* W, Index K, const float* h, Index cs, Index ks) {
  product<8, 3, 4>(z, M, N, W, K, h, cs, ks);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ECGAD_X86_KERNELS 1
__attribute__((target("avx2,fma"))) void product_avx2(float* z, Index M, Index N, const float* W, Index K,
                                                      const float* h, Index cs, Index ks) {
  product<8, 3, 4>(z, M, N, W, K, h, cs, ks);
}

__attribute__((target("avx512f,avx2,fma"))) void product_avx512(float* z, Index M, Index N, const float* W, Index K,
                                                                const float* h, Index cs, Index ks) {
  product<16, 3, 8>(z, M, N, W, K, h, cs, ks);
}
#endif

void run(GemmKernel kernel, float* z, Index M, Index N, const float* W, Index K, const float* h, Index cs, Index ks) {
  if (M <= 0 || N <= 0 || K <= 0) return;
  switch (gemm_kernel_to_run(kernel)) {
#ifdef ECGAD_X86_KERNELS
    case GemmKernel::avx512: return product_avx512(z, M, N, W, K, h, cs, ks);
    case GemmKernel::avx2: return product_avx2(z, M, N, W, K, h, cs, ks);
#endif
    default: return product_portable(z, M, N, W, K, h, cs, ks);
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
  if (gemm_kernel_supported(GemmKernel::avx512)) return GemmKernel::avx512;
  if (gemm_kernel_supported(GemmKernel::avx2)) return GemmKernel::avx2;
  return GemmKernel::portable;
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
