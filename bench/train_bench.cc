// Training and scoring speed on ECG5000-shaped data (140 samples, the tutorial's 140-32-16-8 autoencoder).
// Random data of the same shape: speed does not depend on the values.
#include <benchmark/benchmark.h>

#include "ecgad/model.h"
#include "ecgad/sha256.h"
#include "ecgad/train.h"

namespace ecgad {
namespace {

std::unique_ptr<Model> tutorial_autoencoder(Rng& rng) {
  std::unique_ptr<Model> model = make_model("autoencoder", {{"input_width", 140}, {"encoder", {32, 16, 8}}});
  model->init(rng);
  return model;
}

Mat<float> random_beats(Eigen::Index rows, std::uint64_t seed) {
  Rng rng(seed);
  Mat<float> x(140, rows);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.uniform01());
  return x;
}

// 20 epochs over 2,336 beats (the tutorial's normal training beats) at batch 512: the peer comparison.
void BM_TrainTutorial20Epochs(benchmark::State& state) {
  Batch data{random_beats(2336, 1), {}};
  for (auto _ : state) {
    Rng rng(0);
    std::unique_ptr<Model> model = tutorial_autoencoder(rng);
    TrainOptions options;
    benchmark::DoNotOptimize(train(*model, data, nullptr, options, rng));
  }
  state.SetItemsProcessed(state.iterations() * 20 * 2336);  // beats seen
}
BENCHMARK(BM_TrainTutorial20Epochs)->Unit(benchmark::kMillisecond);

// The course exercise's VAE (--preset exercise-vae): 80 epochs over 2,336 beats at batch 128, the comparison
// with the PyTorch peer (docs/vae.md).
void BM_TrainExerciseVae80Epochs(benchmark::State& state) {
  Batch data{random_beats(2336, 1), {}};
  for (auto _ : state) {
    Rng rng(0);
    std::unique_ptr<Model> model = make_model(
        "vae", {{"input_width", 140}, {"encoder", {32, 16, 8}}, {"latent", 8}, {"output_activation", "relu"}});
    model->init(rng);
    TrainOptions options;
    options.epochs = 80;
    options.batch_size = 128;
    benchmark::DoNotOptimize(train(*model, data, nullptr, options, rng));
  }
  state.SetItemsProcessed(state.iterations() * 80 * 2336);  // beats seen
}
BENCHMARK(BM_TrainExerciseVae80Epochs)->Unit(benchmark::kMillisecond);

// One Adam step on a batch, by batch size.
void BM_TrainStep(benchmark::State& state) {
  Batch batch{random_beats(state.range(0), 2), {}};
  Rng rng(0);
  std::unique_ptr<Model> model = tutorial_autoencoder(rng);
  std::unique_ptr<Workspace> workspace = model->new_workspace();
  Adam adam(model->parameters.size(), AdamOptions{});
  for (auto _ : state) {
    std::fill(model->gradients.begin(), model->gradients.end(), 0.0f);
    benchmark::DoNotOptimize(model->loss_and_gradients(batch, rng, *workspace));
    adam.step(model->parameters, model->gradients);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TrainStep)->Arg(32)->Arg(64)->Arg(512);

// Scoring (forward + per-beat error) without parsing.
void BM_ScoreBeats(benchmark::State& state) {
  Mat<float> data = random_beats(4096, 3);
  Rng rng(0);
  std::unique_ptr<Model> model = tutorial_autoencoder(rng);
  std::unique_ptr<Workspace> workspace = model->new_workspace();
  for (auto _ : state) benchmark::DoNotOptimize(score_beats(*model, data, *workspace));
  state.SetItemsProcessed(state.iterations() * 4096);
}
BENCHMARK(BM_ScoreBeats);

void BM_Sha256(benchmark::State& state) {
  std::string data(1 << 20, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(sha256_hex(data));
  state.SetBytesProcessed(state.iterations() * (1 << 20));
}
BENCHMARK(BM_Sha256);

}  // namespace
}  // namespace ecgad
