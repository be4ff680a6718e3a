// The conventions of model.h, checked for every registered kind (this ecgad's and the tests' toy kind), under
// every preset it declares: a new kind gets these checks by being in the list. Beats of 12 samples keep it quick.
//   - the declaration is consistent (options, fallbacks, presets, score columns);
//   - architecture() -> make_model() builds the same tensor table and the same architecture;
//   - score() is batch-invariant: every beat's score, bit for bit, at several positions and batch sizes;
//   - loss_and_gradients() adds to the gradients; loss() is deterministic;
//   - reconstruct(), where a kind reconstructs, is what an "error" score measured, and is batch-invariant;
//   - the gradient agrees with float finite differences at a few parameters (the exact checks, in double, are
//     each kind's own tests: autoencoder, vae, lstm);
//   - a workspace of another kind is refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "ecgad/error.h"
#include "ecgad/layers.h"
#include "ecgad/model.h"
#include "ecgad/model_kind.h"
#include "linear_kind.h"

namespace ecgad {
namespace {

constexpr int kWidth = 12;

struct Case {
  const ModelKind* kind;
  const KindPreset* preset;
  std::string name() const { return kind->name + " / " + preset->name; }
};

std::vector<Case> every_case() {
  std::vector<Case> cases;
  for (const ModelKind& kind : test::kinds_with_linear()) {
    for (const KindPreset& preset : kind.presets) cases.push_back({&kind, &preset});
  }
  return cases;
}

std::unique_ptr<Model> build(const Case& c, std::uint64_t seed = 1) {
  nlohmann::json architecture = c.preset->options;
  architecture["input_width"] = kWidth;
  std::unique_ptr<Model> model =
      make_model(c.kind->name, architecture, kDefaultParameterLimit, test::kinds_with_linear());
  Rng rng(seed);
  model->init(rng);
  return model;
}

// Beats in [0, 1] (scaled, as a model sees them), a quarter of them abnormal.
Batch beats(Eigen::Index count, std::uint64_t seed = 5) {
  Rng rng(seed);
  Batch batch;
  batch.beats.resize(kWidth, count);
  for (Eigen::Index j = 0; j < count; ++j) {
    for (Eigen::Index i = 0; i < kWidth; ++i) batch.beats(i, j) = static_cast<float>(rng.uniform01());
    batch.normal.push_back(j % 4 == 0 ? 0 : 1);
  }
  return batch;
}

TEST(ModelConformance, EveryKindHasCases) {
  std::set<std::string> kinds;
  for (const Case& c : every_case()) kinds.insert(c.kind->name);
  for (const ModelKind& kind : builtin_model_kinds()) EXPECT_EQ(kinds.count(kind.name), 1u) << kind.name;
  EXPECT_EQ(kinds.count("linear"), 1u);
}

TEST(ModelConformance, DeclarationsAreConsistent) {
  std::set<std::string> preset_names;
  std::map<std::string, ValueSpec::Type> flag_types;
  for (const ModelKind& kind : test::kinds_with_linear()) {
    SCOPED_TRACE(kind.name);
    EXPECT_FALSE(kind.summary.empty());
    EXPECT_NE(kind.build, nullptr);
    EXPECT_FALSE(kind.score_columns.empty());
    for (const KindOption& option : kind.options) {
      SCOPED_TRACE(option.key);
      EXPECT_NE(option.key, "input_width");
      EXPECT_FALSE(option.help.empty());
      if (!option.fallback.is_null()) {
        EXPECT_EQ(check_json(option.value, option.fallback), "");
      }
      if (option.flag.empty()) continue;
      EXPECT_EQ(option.flag.rfind("--", 0), 0u);
      // Kinds that share a flag agree on what it is (the command line declares it once for all of them).
      auto [it, first] = flag_types.emplace(option.flag, option.value.type);
      if (!first) {
        EXPECT_EQ(it->second, option.value.type) << option.flag;
      }
    }
    int defaults = 0;
    for (const KindPreset& preset : kind.presets) {
      SCOPED_TRACE(preset.name);
      EXPECT_TRUE(preset_names.insert(preset.name).second) << "two presets named " << preset.name;
      EXPECT_NO_THROW(complete_architecture(kind, preset.options));
      defaults += preset.kind_default ? 1 : 0;
    }
    EXPECT_EQ(defaults, 1) << "a kind declares one default preset";
  }
}

TEST(ModelConformance, ArchitectureRebuildsTheSameModel) {
  for (const Case& c : every_case()) {
    SCOPED_TRACE(c.name());
    std::unique_ptr<Model> model = build(c);
    EXPECT_EQ(model->kind(), c.kind->name);
    EXPECT_EQ(model->supervised(), c.kind->supervised);
    EXPECT_EQ(model->input_width(), kWidth);
    bool declared = false;
    for (const ScoreColumn& column : c.kind->score_columns) declared = declared || column.name == model->score_name();
    EXPECT_TRUE(declared) << model->score_name() << " is not among the kind's score columns";
    std::unique_ptr<Model> again =
        make_model(c.kind->name, model->architecture(), kDefaultParameterLimit, test::kinds_with_linear());
    EXPECT_EQ(again->architecture(), model->architecture());
    ASSERT_EQ(again->tensors.size(), model->tensors.size());
    std::size_t covered = 0;
    for (std::size_t i = 0; i < model->tensors.size(); ++i) {
      EXPECT_EQ(again->tensors[i].name, model->tensors[i].name);
      EXPECT_EQ(again->tensors[i].shape, model->tensors[i].shape);
      EXPECT_EQ(again->tensors[i].offset, model->tensors[i].offset);
      EXPECT_EQ(model->tensors[i].offset, covered) << "the tensors cover the buffer in order, without gaps";
      covered += model->tensors[i].size();
    }
    EXPECT_EQ(covered, model->parameters.size());
    EXPECT_EQ(model->gradients.size(), model->parameters.size());
  }
}

TEST(ModelConformance, ScoreIsBatchInvariant) {
  for (const Case& c : every_case()) {
    SCOPED_TRACE(c.name());
    std::unique_ptr<Model> model = build(c);
    Batch all = beats(40);
    std::unique_ptr<Workspace> workspace = model->new_workspace();
    Eigen::VectorXd expected;
    model->score(all.beats, *workspace, expected);
    ASSERT_EQ(expected.size(), 40);
    for (Eigen::Index size : {1, 2, 3, 7, 17, 40}) {
      for (Eigen::Index start : {Eigen::Index{0}, Eigen::Index{5}, 40 - size}) {
        if (start + size > 40) continue;
        Mat<float> part = all.beats.middleCols(start, size);
        Eigen::VectorXd scores;
        model->score(part, *workspace, scores);
        ASSERT_EQ(scores.size(), size);
        for (Eigen::Index j = 0; j < size; ++j) {
          EXPECT_EQ(scores(j), expected(start + j)) << "beat " << start + j << " in a batch of " << size;
        }
      }
    }
  }
}

TEST(ModelConformance, LossAndGradientsAddToTheGradients) {
  for (const Case& c : every_case()) {
    SCOPED_TRACE(c.name());
    std::unique_ptr<Model> model = build(c);
    Batch batch = beats(16);
    std::unique_ptr<Workspace> workspace = model->new_workspace();
    std::fill(model->gradients.begin(), model->gradients.end(), 0.0f);
    Rng first(7);
    double loss = model->loss_and_gradients(batch, first, *workspace).total;
    AlignedVector<float> once = model->gradients;
    Rng second(7);  // the same draws: the same loss, and the same gradient added again
    EXPECT_EQ(model->loss_and_gradients(batch, second, *workspace).total, loss);
    double largest = 0;
    for (float g : once) largest = std::max(largest, std::abs(static_cast<double>(g)));
    ASSERT_GT(largest, 0) << "no gradient at all";
    for (std::size_t i = 0; i < once.size(); ++i) {
      EXPECT_NEAR(model->gradients[i], 2 * once[i], 1e-5 * largest + 1e-6 * std::abs(once[i])) << "parameter " << i;
    }
  }
}

TEST(ModelConformance, LossIsDeterministic) {
  for (const Case& c : every_case()) {
    SCOPED_TRACE(c.name());
    std::unique_ptr<Model> model = build(c);
    Batch batch = beats(16);
    std::unique_ptr<Workspace> one = model->new_workspace(), other = model->new_workspace();
    BatchLoss a = model->loss(batch, *one);
    BatchLoss b = model->loss(batch, *one);
    BatchLoss d = model->loss(batch, *other);
    EXPECT_TRUE(std::isfinite(a.total));
    EXPECT_EQ(a.total, b.total);
    EXPECT_EQ(a.total, d.total);
    EXPECT_EQ(a.parts, b.parts);
    EXPECT_EQ(a.parts.size(), model->loss_parts().size());
  }
}

TEST(ModelConformance, ReconstructIsWhatTheErrorScoreMeasured) {
  for (const Case& c : every_case()) {
    SCOPED_TRACE(c.name());
    std::unique_ptr<Model> model = build(c);
    Batch all = beats(20);
    std::unique_ptr<Workspace> workspace = model->new_workspace();
    Mat<float> rebuilt;
    if (!model->reconstruct(all.beats, *workspace, rebuilt)) continue;  // a classifier
    ASSERT_EQ(rebuilt.rows(), kWidth);
    ASSERT_EQ(rebuilt.cols(), 20);
    Mat<float> part;
    ASSERT_TRUE(model->reconstruct(all.beats.middleCols(3, 5), *workspace, part));
    EXPECT_EQ(part, rebuilt.middleCols(3, 5)) << "reconstruct is batch-invariant";
    if (model->score_name() != "error") continue;  // another score (a VAE's negative ELBO) measures more
    Eigen::VectorXd scores;
    model->score(all.beats, *workspace, scores);
    Eigen::VectorXd errors = mae_per_column(rebuilt, all.beats);
    for (Eigen::Index j = 0; j < 20; ++j) EXPECT_EQ(scores(j), errors(j)) << "beat " << j;
  }
}

// Central differences in float, at the parameters with the largest gradients, against the gradient
// loss_and_gradients() adds, with the same random draws. Where the differences at steps h and h/2 disagree the
// loss is not smooth there (a ReLU's kink, an MAE's zero, a BCE's output near its clip, where -log p bends
// hard): no difference quotient means anything, so the parameter is skipped; at least three must be checked.
// (The exact checks, in double and everywhere, are each kind's own tests.)
TEST(ModelConformance, GradientAgreesWithFloatFiniteDifferences) {
  for (const Case& c : every_case()) {
    SCOPED_TRACE(c.name());
    std::unique_ptr<Model> model = build(c, 3);
    Batch batch = beats(24, 11);
    std::unique_ptr<Workspace> workspace = model->new_workspace();
    auto loss_at = [&](std::size_t i, float value, AlignedVector<float>* gradient) {
      float kept = model->parameters[i];
      model->parameters[i] = value;
      std::fill(model->gradients.begin(), model->gradients.end(), 0.0f);
      Rng rng(9);
      double loss = model->loss_and_gradients(batch, rng, *workspace).total;
      if (gradient) *gradient = model->gradients;
      model->parameters[i] = kept;
      return loss;
    };
    AlignedVector<float> gradient;
    const double at = loss_at(0, model->parameters[0], &gradient);
    std::vector<std::size_t> order(gradient.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return std::abs(gradient[a]) > std::abs(gradient[b]); });
    auto central = [&](std::size_t i, float h) {
      const float p = model->parameters[i];
      return (loss_at(i, p + h, nullptr) - loss_at(i, p - h, nullptr)) / (2.0 * static_cast<double>(h));
    };
    int checked = 0;
    for (std::size_t k = 0; k < order.size() && k < 400 && checked < 6; ++k) {
      const std::size_t i = order[k];
      const float h = 1e-3f * std::max(1.0f, std::abs(model->parameters[i]));
      const double coarse = central(i, h), fine = central(i, h / 4);
      // What float rounding of a loss this large can move the finer difference quotient by.
      const double noise = 2e-7 * std::abs(at) / static_cast<double>(h / 4);
      if (std::abs(coarse - fine) > 0.05 * std::abs(fine) + noise) continue;  // not smooth here
      EXPECT_NEAR(fine, gradient[i], 0.03 * std::abs(gradient[i]) + noise) << "parameter " << i;
      ++checked;
    }
    EXPECT_GE(checked, 3) << "too few smooth parameters to check";
  }
}

TEST(ModelConformance, AWorkspaceOfAnotherKindIsRefused) {
  std::vector<Case> cases = every_case();
  for (std::size_t a = 0; a < cases.size(); ++a) {
    const Case& other = cases[(a + 1) % cases.size()];
    if (other.kind == cases[a].kind) continue;
    SCOPED_TRACE(cases[a].name() + " given a workspace of " + other.name());
    std::unique_ptr<Model> model = build(cases[a]), stranger = build(other);
    std::unique_ptr<Workspace> workspace = stranger->new_workspace();
    Eigen::VectorXd scores;
    EXPECT_THROW(model->score(beats(2).beats, *workspace, scores), Error);
  }
}

}  // namespace
}  // namespace ecgad
