// ecgad_quality: measures detection quality and training time over seeds, for the README's tables.
//
//   ecgad_quality select DATA [--seeds N] [--study grid|loss-noise|vae|vae-collapse|vae-beta|finalists] [--split-seed
//   S]
//                                           model selection on the TRAINING split only: the training split
//                                           (sklearn, 0.2, seed 21) is split again (0.2, seed 21);
//                                           candidates train on the inner part and are scored on the
//                                           validation part ("finalists": 5-fold cross-validation over the
//                                           whole training split instead). The test split is never read.
//   ecgad_quality test DATA [--seeds N] [--config NAME]... [--split-seed S]
//                                           the tutorial protocol: train on the training split, evaluate
//                                           on the test split; mean ± std over seeds 0..N-1.
//   --split-seed S: the outer split's seed (default 21, the tutorial's), to check other splits.
//
// Training time is the training loop alone (as the PyTorch peer measures it), one thread.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "ecgad/csv.h"
#include "ecgad/detector.h"
#include "ecgad/error.h"
#include "ecgad/report.h"
#include "ecgad/split.h"
#include "ecgad/text.h"

namespace {

using namespace ecgad;

Dataset subset(const Dataset& data, const std::vector<std::size_t>& rows, const std::string& name) {
  Dataset out;
  out.name = name;
  out.width = data.width;
  for (std::size_t r : rows) {
    out.values.insert(out.values.end(), data.values.begin() + static_cast<std::ptrdiff_t>(r * data.width),
                      data.values.begin() + static_cast<std::ptrdiff_t>((r + 1) * data.width));
    out.normal.push_back(data.normal[r]);
    out.lines.push_back(data.lines.empty() ? r + 1 : data.lines[r]);
  }
  return out;
}

struct Candidate {
  std::string name;
  DetectorConfig config;
};

struct Stats {
  std::vector<double> values;
  void add(double v) { values.push_back(v); }
  void append(const Stats& other) { values.insert(values.end(), other.values.begin(), other.values.end()); }
  double mean() const {
    double s = 0;
    for (double v : values) s += v;
    return s / static_cast<double>(values.size());
  }
  double std() const {  // population, as numpy's default
    double m = mean(), s = 0;
    for (double v : values) s += (v - m) * (v - m);
    return std::sqrt(s / static_cast<double>(values.size()));
  }
  double min() const { return *std::min_element(values.begin(), values.end()); }
  double median() const {
    std::vector<double> v = values;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  }
};

struct Row {
  Stats accuracy, precision, recall, f1, auc, normal_precision, normal_recall, seconds;
  void append(const Row& other) {
    for (auto [to, from] : {std::pair{&accuracy, &other.accuracy},
                            {&precision, &other.precision},
                            {&recall, &other.recall},
                            {&f1, &other.f1},
                            {&auc, &other.auc},
                            {&normal_precision, &other.normal_precision},
                            {&normal_recall, &other.normal_recall},
                            {&seconds, &other.seconds}}) {
      to->append(*from);
    }
  }
};

std::string pm(const Stats& s) { return fmt::format("{:.4f} ± {:.4f}", s.mean(), s.std()); }

const std::vector<std::string> kStrategies = {"mean-std:1", "percentile:95", "best-accuracy", "best-f1"};

// Trains `config` with each seed, then for each threshold strategy chooses the threshold as
// `ecgad train --threshold STRATEGY` would (mean-std and percentile on the normal training rows' errors,
// best-* on every labelled training row) and evaluates on `eval_data`. One row per strategy.
std::vector<std::pair<std::string, Row>> run(const Dataset& train_data, const Dataset& eval_data, DetectorConfig config,
                                             int seeds) {
  std::vector<std::pair<std::string, Row>> rows;
  for (const std::string& strategy : kStrategies) rows.emplace_back(strategy, Row{});
  for (int seed = 0; seed < seeds; ++seed) {
    config.seed = static_cast<std::uint64_t>(seed);
    double seconds = 0;
    TrainedModel model =
        train_detector(train_data, config, nullptr, nullptr, [&](const EpochStats& s) { seconds = s.seconds; });
    std::unique_ptr<Workspace> workspace = model.model->new_workspace();
    Eigen::VectorXd e = anomaly_scores(model, eval_data, *workspace);
    std::vector<double> errors(e.data(), e.data() + e.size());
    Eigen::VectorXd t = anomaly_scores(model, train_data, *workspace);
    std::vector<double> train_errors(t.data(), t.data() + t.size()), normal_errors;
    for (std::size_t i = 0; i < train_errors.size(); ++i) {
      if (train_data.normal[i]) normal_errors.push_back(train_errors[i]);
    }
    for (auto& [strategy, row] : rows) {
      double threshold =
          choose_threshold(parse_threshold_strategy(strategy), normal_errors, train_errors, train_data.normal).value;
      Evaluation anomaly = evaluate(errors, eval_data.normal, threshold, PositiveClass::anomaly);
      Evaluation normal = evaluate(errors, eval_data.normal, threshold, PositiveClass::normal);
      row.accuracy.add(anomaly.metrics.accuracy);
      row.precision.add(anomaly.metrics.precision);
      row.recall.add(anomaly.metrics.recall);
      row.f1.add(anomaly.metrics.f1);
      row.auc.add(anomaly.roc_auc);
      row.normal_precision.add(normal.metrics.precision);
      row.normal_recall.add(normal.metrics.recall);
      row.seconds.add(seconds);
    }
  }
  return rows;
}

std::string describe(const DetectorConfig& c) {
  if (c.kind == "vae") {
    std::string layers;
    for (int size : c.options.value("encoder", std::vector<int>{}))
      layers += (layers.empty() ? "" : ",") + std::to_string(size);
    char name[240];
    std::snprintf(name, sizeof name, "vae %s z%d %s %s beta%g score-%s e%d b%d lr%g", layers.c_str(),
                  c.options.value("latent", 8), c.options.value("output_activation", "relu").c_str(),
                  c.options.value("loss", "bce").c_str(), c.options.value("beta", 1.0),
                  c.options.value("score", "mae").c_str(), c.train.epochs, c.train.batch_size,
                  c.train.adam.learning_rate);
    return name;
  }
  std::string layers;
  for (int size : c.options.value("encoder", std::vector<int>{}))
    layers += (layers.empty() ? "" : ",") + std::to_string(size);
  std::string text = fmt::format("{} e{} b{} lr{:g}{}", layers, c.train.epochs, c.train.batch_size,
                                 c.train.adam.learning_rate, c.per_column_scaling ? " per-column" : "");
  if (c.options.value("loss", "mae") != "mae") text += " loss " + c.options.value("loss", "mae");
  if (c.options.value("input_noise", 0.0) > 0) {
    append_format(text, " noise {:g}", c.options.value("input_noise", 0.0));
  }
  return text;
}

// The tutorial's model and threshold trained with other epochs, batch size and learning rate.
DetectorConfig tutorial_with(int epochs, int batch, double lr) {
  DetectorConfig c = preset_config("tutorial");
  c.train.epochs = epochs;
  c.train.batch_size = batch;
  c.train.adam.learning_rate = lr;
  return c;
}

// The second study: the training loss and denoising, on the grid's two best configurations and a longer run.
std::vector<DetectorConfig> loss_noise_candidates() {
  std::vector<DetectorConfig> list;
  struct Base {
    int epochs;
    double lr;
  };
  for (Base base : {Base{50, 1e-3}, Base{20, 3e-3}, Base{100, 1e-3}}) {
    for (const char* loss : {"mae", "mse"}) {
      for (double noise : {0.0, 0.01, 0.02, 0.05}) {
        DetectorConfig c = tutorial_with(base.epochs, 32, base.lr);
        if (std::string(loss) != "mae") c.options["loss"] = loss;
        c.options["input_noise"] = noise;
        list.push_back(c);
      }
    }
  }
  return list;
}

// The two best of both studies, for 5-fold cross-validation on the training split.
std::vector<DetectorConfig> finalist_candidates() { return {tutorial_with(50, 32, 1e-3), tutorial_with(20, 32, 3e-3)}; }

struct Schedule {
  int epochs, batch;
  double lr;
};

// The exercise's VAE with one study's choices; an empty `encoder` keeps the preset's layers.
DetectorConfig vae_with(const Schedule& s, const std::vector<int>& encoder, const char* output, const char* loss,
                        double beta, const char* score) {
  DetectorConfig c = preset_config("exercise-vae");
  if (!encoder.empty()) c.options["encoder"] = encoder;
  c.options["output_activation"] = output;
  c.options["loss"] = loss;
  c.options["beta"] = beta;
  c.options["score"] = score;
  c.train.epochs = s.epochs;
  c.train.batch_size = s.batch;
  c.train.adam.learning_rate = s.lr;
  return c;
}

// The VAE study: the exercise's VAE with other output layers, reconstruction losses, KL weights, scores and
// training schedules (the autoencoder grid's best schedules and the exercise's own).
std::vector<DetectorConfig> vae_candidates() {
  std::vector<DetectorConfig> list;
  for (Schedule s :
       {Schedule{80, 128, 1e-3}, Schedule{20, 32, 3e-3}, Schedule{50, 32, 1e-3}, Schedule{100, 32, 1e-3}}) {
    for (const char* output : {"relu", "sigmoid"}) {
      for (const char* loss : {"bce", "mae"}) {
        for (double beta : {1.0, 0.1}) {
          for (const char* score : {"mae", "elbo"}) list.push_back(vae_with(s, {}, output, loss, beta, score));
        }
      }
    }
  }
  return list;
}

// The second VAE study, after the first showed posterior collapse (z_mean nearly the same for every beat, the
// encoder's last ReLU layer dead): smaller KL weights, and the heads fed by the 16-unit layer directly.
std::vector<DetectorConfig> vae_collapse_candidates() {
  std::vector<DetectorConfig> list;
  for (Schedule s : {Schedule{20, 32, 3e-3}, Schedule{50, 32, 1e-3}}) {
    for (const std::vector<int>& encoder : {std::vector<int>{32, 16}, std::vector<int>{32, 16, 8}}) {
      for (const char* loss : {"bce", "mae"}) {
        for (double beta : {0.1, 0.01, 0.001}) {
          for (const char* score : {"mae", "elbo"}) list.push_back(vae_with(s, encoder, "sigmoid", loss, beta, score));
        }
      }
    }
  }
  return list;
}

// The third VAE study: around the second's best (heads on the 16-unit layer, KL weight 0.001).
std::vector<DetectorConfig> vae_beta_candidates() {
  std::vector<DetectorConfig> list;
  struct Variant {
    const char* loss;
    const char* score;
  };
  for (Schedule s : {Schedule{50, 32, 1e-3}, Schedule{100, 32, 1e-3}, Schedule{30, 32, 3e-3}}) {
    for (double beta : {1e-3, 3e-4, 1e-4}) {
      for (Variant v : {Variant{"bce", "mae"}, Variant{"bce", "elbo"}, Variant{"mae", "mae"}}) {
        list.push_back(vae_with(s, {32, 16}, "sigmoid", v.loss, beta, v.score));
      }
    }
  }
  return list;
}

std::vector<DetectorConfig> candidates() {
  std::vector<DetectorConfig> list;
  for (std::vector<int> layers : {std::vector<int>{32, 16, 8}, std::vector<int>{64, 32, 16}}) {
    for (int epochs : {20, 50, 100, 200}) {
      for (int batch : {32, 64, 128, 512}) {
        for (double lr : {1e-3, 3e-3}) {
          DetectorConfig c = tutorial_with(epochs, batch, lr);
          c.options["encoder"] = layers;
          list.push_back(c);
        }
      }
    }
  }
  for (int epochs : {50, 100}) {  // per-column scaling, with the tutorial's layers
    DetectorConfig c = tutorial_with(epochs, 32, 1e-3);
    c.per_column_scaling = true;
    list.push_back(c);
  }
  return list;
}

void print_row(const std::string& name, const std::string& strategy, const Row& row) {
  std::printf("| %s | %s | %s | %s | %s | %s | %s | %.3f |\n", name.c_str(), strategy.c_str(), pm(row.accuracy).c_str(),
              pm(row.precision).c_str(), pm(row.recall).c_str(), pm(row.f1).c_str(), pm(row.auc).c_str(),
              row.seconds.median());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || (std::strcmp(argv[1], "select") != 0 && std::strcmp(argv[1], "test") != 0)) {
    std::fprintf(stderr,
                 "usage: ecgad_quality select|test DATA [--seeds N] [--study "
                 "grid|loss-noise|vae|vae-collapse|vae-beta|finalists] [--config NAME]... "
                 "[--split-seed S]\n");
    return 2;
  }
  try {
    std::string mode = argv[1], path = argv[2];
    int seeds = 10;
    std::vector<std::string> configs;
    std::string study = "grid";
    std::uint32_t split_seed = 21;  // the tutorial's; `ecgad split --seed N` gives the others
    for (int i = 3; i + 1 < argc; i += 2) {
      if (std::strcmp(argv[i], "--study") == 0) study = argv[i + 1];
      if (std::strcmp(argv[i], "--seeds") == 0) seeds = std::atoi(argv[i + 1]);
      if (std::strcmp(argv[i], "--config") == 0) configs.push_back(argv[i + 1]);
      if (std::strcmp(argv[i], "--split-seed") == 0) split_seed = static_cast<std::uint32_t>(std::atoi(argv[i + 1]));
    }
    Dataset all = load_dataset(path);
    SplitIndices outer = train_test_split(all.rows(), 0.2, split_seed);
    Dataset train_split = subset(all, outer.train, "train");
    std::printf("| configuration | threshold | accuracy | precision | recall | F1 | ROC AUC | train s (median) |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    if (mode == "select") {
      SplitIndices inner = train_test_split(train_split.rows(), 0.2, 21);
      Dataset inner_train = subset(train_split, inner.train, "inner-train");
      Dataset validation = subset(train_split, inner.test, "validation");
      if (study == "finalists") {
        // 5-fold cross-validation over the training split, folds cut from sklearn's permutation (seed 21):
        // the inner split's test rows, then its train rows.
        std::vector<std::size_t> order = inner.test;
        order.insert(order.end(), inner.train.begin(), inner.train.end());
        constexpr std::size_t kFolds = 5;
        for (const DetectorConfig& c : finalist_candidates()) {
          std::vector<std::pair<std::string, Row>> total;
          for (const std::string& strategy : kStrategies) total.emplace_back(strategy, Row{});
          for (std::size_t fold = 0; fold < kFolds; ++fold) {
            std::vector<std::size_t> inner_rows, validation_rows;
            for (std::size_t i = 0; i < order.size(); ++i) {
              (i * kFolds / order.size() == fold ? validation_rows : inner_rows).push_back(order[i]);
            }
            auto rows = run(subset(train_split, inner_rows, "inner-train"),
                            subset(train_split, validation_rows, "validation"), c, seeds);
            for (std::size_t k = 0; k < rows.size(); ++k) total[k].second.append(rows[k].second);
          }
          for (const auto& [strategy, row] : total) print_row(describe(c) + " (5 folds)", strategy, row);
        }
        return 0;
      }
      std::vector<DetectorConfig> list;
      if (study == "grid")
        list = candidates();
      else if (study == "loss-noise")
        list = loss_noise_candidates();
      else if (study == "vae")
        list = vae_candidates();
      else if (study == "vae-collapse")
        list = vae_collapse_candidates();
      else if (study == "vae-beta")
        list = vae_beta_candidates();
      else
        throw Error("--study is grid, loss-noise, vae, vae-collapse, vae-beta or finalists");
      for (const DetectorConfig& c : list) {
        for (const auto& [strategy, row] : run(inner_train, validation, c, seeds))
          print_row(describe(c), strategy, row);
      }
    } else {
      Dataset test_split = subset(all, outer.test, "test");
      if (configs.empty()) configs = {"tutorial", "default"};
      for (const std::string& name : configs) {
        DetectorConfig c = preset_config(name);
        for (const auto& [strategy, row] : run(train_split, test_split, c, seeds)) {
          bool own = strategy == to_string(c.threshold);
          print_row("--preset " + name + " (" + describe(c) + ")", own ? "**" + strategy + "** (preset's)" : strategy,
                    row);
          if (own) {
            std::printf("| ↳ same, positive = normal | | min %.4f | %s | %s | | | |\n", row.accuracy.min(),
                        pm(row.normal_precision).c_str(), pm(row.normal_recall).c_str());
          }
        }
      }
    }
  } catch (const ecgad::Error& e) {
    std::fprintf(stderr, "ecgad_quality: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
