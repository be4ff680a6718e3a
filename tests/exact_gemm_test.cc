// The LSTM's matrix kernels against a plain loop of std::fma in the promised order, bit for bit, for every
// kernel this CPU can run, on shapes that exercise every tile and every leftover row and column.
#include "ecgad/exact_gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "ecgad/random.h"

namespace ecgad {
namespace {

using Index = std::ptrdiff_t;

std::vector<float> random_values(Index n, Rng& rng) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) x = static_cast<float>(2.0 * rng.uniform01() - 1.0);
  return v;
}

// z(o, j) = fma(W(o, k), h(k, j), z(o, j)) for k = 0, 1, ...: h(k, j) at h[j * col_stride + k * k_stride].
std::vector<float> reference(std::vector<float> z, const std::vector<float>& W, const std::vector<float>& h, Index M,
                             Index K, Index N, Index col_stride, Index k_stride) {
  for (Index j = 0; j < N; ++j) {
    for (Index o = 0; o < M; ++o) {
      float a = z[j * M + o];
      for (Index k = 0; k < K; ++k) a = std::fma(W[k * M + o], h[j * col_stride + k * k_stride], a);
      z[j * M + o] = a;
    }
  }
  return z;
}

std::vector<GemmKernel> runnable_kernels() {
  std::vector<GemmKernel> kernels;
  for (GemmKernel k : {GemmKernel::automatic, GemmKernel::portable, GemmKernel::avx2, GemmKernel::avx512}) {
    if (gemm_kernel_supported(k)) kernels.push_back(k);
  }
  return kernels;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// M covers whole tiles (48 rows of AVX-512, 24 of AVX2), single, half and quarter vectors and single rows; K
// one chunk (128) and several; N whole column tiles (8 and 4) and leftovers.
const Index kRows[] = {1, 3, 4, 8, 17, 24, 47, 100, 400};
const Index kDepths[] = {1, 7, 100, 129, 400};
const Index kColumns[] = {1, 3, 4, 9, 19};

// Every shape of the grid with every kernel this CPU runs, bit for bit against reference(). transposed:
// C (M, P) += A (M, L) Bt (P, L)^T with Bt(p, l) at Bt[l * P + p] (K = L, N = P); else z (M, N) += W (M, K) h (K, N).
void expect_fma_chains_in_order(bool transposed, std::uint64_t seed) {
  Rng rng(seed);
  for (Index M : kRows) {
    for (Index K : kDepths) {
      for (Index N : kColumns) {
        const auto W = random_values(M * K, rng), h = random_values(K * N, rng), z = random_values(M * N, rng);
        const auto expected = transposed ? reference(z, W, h, M, K, N, 1, N) : reference(z, W, h, M, K, N, K, 1);
        for (GemmKernel kernel : runnable_kernels()) {
          auto got = z;
          if (transposed) {
            exact_gemm_abt(got.data(), W.data(), h.data(), M, N, K, kernel);
          } else {
            exact_gemm(got.data(), W.data(), h.data(), M, K, N, kernel);
          }
          EXPECT_TRUE(same_bits(got, expected))
              << (transposed ? "abt " : "") << gemm_kernel_name(kernel) << " M " << M << " K " << K << " N " << N;
        }
      }
    }
  }
}

TEST(ExactGemm, EveryKernelIsAnFmaChainInOrder) { expect_fma_chains_in_order(false, 1); }

TEST(ExactGemm, TransposedProductIsAnFmaChainInOrder) { expect_fma_chains_in_order(true, 2); }

// And the chain is the product: against double accumulation, to float rounding.
TEST(ExactGemm, ComputesTheProduct) {
  Rng rng(3);
  const Index M = 400, K = 100, N = 9;
  const auto W = random_values(M * K, rng), h = random_values(K * N, rng);
  std::vector<float> z(M * N, 0.0f);
  exact_gemm(z.data(), W.data(), h.data(), M, K, N);
  double worst = 0;
  for (Index j = 0; j < N; ++j) {
    for (Index o = 0; o < M; ++o) {
      double exact = 0;
      for (Index k = 0; k < K; ++k) exact += static_cast<double>(W[k * M + o]) * h[j * K + k];
      worst = std::max(worst, std::abs(exact - z[j * M + o]));
    }
  }
  EXPECT_LT(worst, 1e-5);
}

TEST(ExactGemm, EmptyProductsChangeNothing) {
  std::vector<float> z = {1.5f, -2.0f};
  const float w = 3.0f;
  exact_gemm(z.data(), &w, &w, 2, 0, 1);
  exact_gemm_abt(z.data(), &w, &w, 2, 1, 0);
  EXPECT_EQ(z[0], 1.5f);
  EXPECT_EQ(z[1], -2.0f);
}

TEST(ExactGemm, TheBestKernelRunsHere) {
  const GemmKernel best = best_gemm_kernel();
  EXPECT_NE(best, GemmKernel::automatic);
  EXPECT_TRUE(gemm_kernel_supported(best));
  EXPECT_TRUE(gemm_kernel_supported(GemmKernel::portable));
  if (gemm_kernel_supported(GemmKernel::avx512)) {
    EXPECT_EQ(best, GemmKernel::avx512);
  }
  std::printf("best kernel on this CPU: %s\n", gemm_kernel_name(best));
}

}  // namespace
}  // namespace ecgad
