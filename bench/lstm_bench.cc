// The LSTM classifier's speed against the floor: one core's float matrix-product rate at the LSTM's own
// shapes (Eigen, and the LSTM's own kernels with AVX2 and with AVX-512), then the LSTM forward and backward per batch,
// one training epoch of the exercise preset, and scoring. GFLOP/s counters count the matrix products' multiply-adds as
// 2 flops each (the elementwise gate math is extra work on top).
//   build/ecgad_bench --benchmark_filter='Gemm|Lstm'   (BM_GemmFloor, BM_ExactGemm, BM_Lstm*)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <numeric>

#include "ecgad/adam.h"
#include "ecgad/exact_gemm.h"
#include "ecgad/lstm.h"

namespace ecgad {
namespace {

constexpr int kHidden = 100, kSteps = 140, kBatch = 256, kBeats = 3998;  // the exercise preset

Mat<float> random_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  Rng rng(seed);
  Mat<float> m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.uniform01() - 0.5);
  return m;
}

void set_gflops(benchmark::State& state, double flops_per_iteration) {
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops_per_iteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// The floor: C (M, N) += A (M, K) B (K, N) in float, the product shapes of one training batch.
//   forward step:  (400, 100) . (100, 256)   z_t += Wh h_{t-1}
//   backward step: (100, 400) . (400, 256)   dh_{t-1} = Wh^T dz_t  (A transposed, as the LSTM stores Wh)
//   dWh:           (400, 35840) . (35840, 100)  every step's dz h^T at once
//   square 1024:   the core's best case
void BM_GemmFloor(benchmark::State& state) {
  const Eigen::Index M = state.range(0), K = state.range(1), N = state.range(2);
  const bool transposed_a = state.range(3) != 0;
  const bool transposed_b = state.range(4) != 0;
  Mat<float> A = transposed_a ? random_matrix(K, M, 1) : random_matrix(M, K, 1);
  Mat<float> B = transposed_b ? random_matrix(N, K, 2) : random_matrix(K, N, 2);
  Mat<float> C = Mat<float>::Zero(M, N);
  for (auto _ : state) {
    if (transposed_a) {
      C.noalias() += A.transpose() * B;
    } else if (transposed_b) {
      C.noalias() += A * B.transpose();
    } else {
      C.noalias() += A * B;
    }
    benchmark::DoNotOptimize(C.data());
  }
  set_gflops(state, 2.0 * static_cast<double>(M) * static_cast<double>(K) * static_cast<double>(N));
}
BENCHMARK(BM_GemmFloor)
    ->ArgNames({"M", "K", "N", "At", "Bt"})
    ->Args({4 * kHidden, kHidden, kBatch, 0, 0})
    ->Args({kHidden, 4 * kHidden, kBatch, 1, 0})
    ->Args({4 * kHidden, kSteps* kBatch, kHidden, 0, 1})
    ->Args({1024, 1024, 1024, 0, 0});

// The LSTM's own kernels (src/exact_gemm.cc) at the same shapes, by kernel (1: AVX2, 2: AVX-512):
//   forward step z_t += Wh h_{t-1}; backward step dh_{t-1} = (Wh^T) dz_t (Wh^T stored); a step's dWh += dz_t h^T.
void BM_ExactGemm(benchmark::State& state) {
  const Eigen::Index M = state.range(0), K = state.range(1), N = state.range(2);
  const bool abt = state.range(3) != 0;
  const GemmKernel kernel = state.range(4) == 2 ? GemmKernel::avx512 : GemmKernel::avx2;
  if (!gemm_kernel_supported(kernel)) {
    state.SkipWithError("this CPU cannot run the kernel");
    return;
  }
  // abt: C (M, N) += A (M, K) Bt (N, K)^T
  Mat<float> A = random_matrix(M, K, 1), B = abt ? random_matrix(N, K, 2) : random_matrix(K, N, 2);
  Mat<float> C = Mat<float>::Zero(M, N);
  for (auto _ : state) {
    if (abt) {
      exact_gemm_abt(C.data(), A.data(), B.data(), M, N, K, kernel);
    } else {
      exact_gemm(C.data(), A.data(), B.data(), M, K, N, kernel);
    }
    benchmark::DoNotOptimize(C.data());
  }
  set_gflops(state, 2.0 * static_cast<double>(M) * static_cast<double>(K) * static_cast<double>(N));
}
BENCHMARK(BM_ExactGemm)
    ->ArgNames({"M", "K", "N", "abt", "kernel"})
    ->Args({4 * kHidden, kHidden, kBatch, 0, 1})
    ->Args({kHidden, 4 * kHidden, kBatch, 0, 1})
    ->Args({4 * kHidden, kBatch, kHidden, 1, 1})
    ->Args({1024, 1024, 1024, 0, 1})
    ->Args({4 * kHidden, kHidden, kBatch, 0, 2})
    ->Args({kHidden, 4 * kHidden, kBatch, 0, 2})
    ->Args({4 * kHidden, kBatch, kHidden, 1, 2})
    ->Args({1024, 1024, 1024, 0, 2});

// Multiply-adds of the recurrent products in one forward pass (step 0 has none: h_{-1} = 0) and the input
// projection; backward does the same products twice (dh and dWh) plus dWx.
double forward_flops(Eigen::Index batch) {
  return 2.0 * 4 * kHidden * static_cast<double>(batch) * (kHidden * (kSteps - 1.0) + kSteps);
}

void BM_LstmForward(benchmark::State& state) {
  const Eigen::Index batch = state.range(0);
  LstmShape shape{1, kSteps, kHidden};
  LstmClassifier<float> model(shape);
  Rng rng(0);
  model.init_keras(rng);
  LstmParams<float> P = model.parameters();
  Mat<float> x = random_matrix(kSteps, batch, 3).array() + 0.5f;
  Mat<float> h;
  for (auto _ : state) {
    lstm_forward(h, model.cache.lstm, x, P, shape);
    benchmark::DoNotOptimize(h.data());
  }
  set_gflops(state, forward_flops(batch));
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_LstmForward)->Arg(kBatch)->Unit(benchmark::kMillisecond);

// Forward, backward (BPTT) and the Adam step of one batch: a training step.
void BM_LstmTrainStep(benchmark::State& state) {
  const Eigen::Index batch = state.range(0);
  LstmShape shape{1, kSteps, kHidden};
  LstmClassifier<float> model(shape);
  Rng rng(0);
  model.init_keras(rng);
  Adam adam(model.params.size(), AdamOptions{});
  Mat<float> x = random_matrix(kSteps, batch, 3).array() + 0.5f;
  Mat<float> labels(1, batch);
  for (Eigen::Index j = 0; j < batch; ++j) labels(0, j) = static_cast<float>(j % 2);
  for (auto _ : state) {
    std::fill(model.grads.begin(), model.grads.end(), 0.0f);
    benchmark::DoNotOptimize(model.loss_and_gradients(x, labels, 0.25, rng));
    adam.step(model.params, model.grads);
  }
  set_gflops(state, 3 * forward_flops(batch));
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_LstmTrainStep)->Arg(kBatch)->Unit(benchmark::kMillisecond);

// One epoch of the exercise preset: 3,998 beats shuffled into batches of 256 (the last one 158).
// Twenty of these are the preset's training time (without the per-epoch validation).
void BM_LstmTrainEpoch(benchmark::State& state) {
  LstmShape shape{1, kSteps, kHidden};
  LstmClassifier<float> model(shape);
  Rng rng(0);
  model.init_keras(rng);
  Adam adam(model.params.size(), AdamOptions{});
  Mat<float> data = random_matrix(kSteps, kBeats, 4).array() + 0.5f;
  std::vector<Eigen::Index> order(kBeats);
  std::iota(order.begin(), order.end(), 0);
  Mat<float> x, labels;
  for (auto _ : state) {
    rng.shuffle(order);
    for (Eigen::Index start = 0; start < kBeats; start += kBatch) {
      const Eigen::Index n = std::min<Eigen::Index>(kBatch, kBeats - start);
      x.resize(kSteps, n);
      labels.resize(1, n);
      for (Eigen::Index j = 0; j < n; ++j) {
        x.col(j) = data.col(order[start + j]);
        labels(0, j) = static_cast<float>(order[start + j] % 2);
      }
      std::fill(model.grads.begin(), model.grads.end(), 0.0f);
      benchmark::DoNotOptimize(model.loss_and_gradients(x, labels, 0.25, rng));
      adam.step(model.params, model.grads);
    }
  }
  set_gflops(state, 3 * forward_flops(kBeats));
  state.SetItemsProcessed(state.iterations() * kBeats);
}
BENCHMARK(BM_LstmTrainEpoch)->Unit(benchmark::kSecond)->Iterations(1);

// Scoring: probabilities through the batch-invariant path (fixed-order products), beats per second.
void BM_LstmScore(benchmark::State& state) {
  const Eigen::Index beats = 1024;
  LstmShape shape{1, kSteps, kHidden};
  LstmClassifier<float> model(shape);
  Rng rng(0);
  model.init_keras(rng);
  Mat<float> x = random_matrix(kSteps, beats, 5).array() + 0.5f;
  for (auto _ : state) benchmark::DoNotOptimize(model.probabilities(x));
  set_gflops(state, forward_flops(beats));
  state.SetItemsProcessed(state.iterations() * beats);
}
BENCHMARK(BM_LstmScore)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ecgad
