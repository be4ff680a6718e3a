// The one model interface that training, the model file, scoring and the report go through.
//
// A model owns its parameters and gradients as two flat float buffers (as llm.c keeps them), described by a
// table of named tensors (name, shape, offset), as GGUF lists its tensors. Everything outside the model (the
// training loop, Adam, the model file, scoring, the report) sees only this interface; each kind ("autoencoder",
// "vae", "lstm") lives in its own module with its declaration (model_kind.h), listed in src/model_registry.cc.
//
// Conventions:
// - Beats are columns: a batch of B beats of width W is a (W, B) matrix of scaled samples.
// - loss_and_gradients ACCUMULATES into `gradients` (+=); the training loop zeroes them once per step. A weight
//   used twice (an LSTM's recurrent kernel at every step, a VAE's shared trunk) then needs nothing special.
// - Scratch memory (activations, deltas) lives in a Workspace owned by the caller, so that scoring works on a
//   const model and two threads can score with one model, each with its own workspace. A kind derives from
//   ModelWith<Scratch> and works on its own typed Scratch: no kind casts a workspace.
// - score() is batch-invariant: a beat's score does not depend on the other beats scored with it.
// tests/model_conformance_test.cc checks these conventions for every registered kind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ecgad/error.h"
#include "ecgad/layers.h"
#include "ecgad/random.h"

namespace ecgad {

// A named view into the flat parameter buffer: `shape` in row-major reading order of its dimensions, stored
// column-major (Eigen's default) from `offset` on, for shape.size() == 2 that is an (shape[0] x shape[1]) matrix.
struct Tensor {
  std::string name;
  std::vector<std::size_t> shape;
  std::size_t offset = 0;
  std::size_t size() const;
};

// Beats for one training step, validation, or scoring.
struct Batch {
  Mat<float> beats;                  // (W, B) scaled samples
  std::vector<std::uint8_t> normal;  // B labels, 1 normal / 0 abnormal; empty when unlabelled
  std::size_t size() const { return static_cast<std::size_t>(beats.cols()); }
  bool labelled() const { return !normal.empty(); }
};

// A model's per-call scratch, made by Model::new_workspace(). What is inside is the kind's own (ModelWith).
struct Workspace {
  virtual ~Workspace() = default;
};

struct ModelKind;  // model_kind.h: what a kind declares about itself

// The loss of one batch: its total (what is minimised) and, for a model whose loss has parts (a VAE's
// reconstruction and KL), each part, in the order of Model::loss_parts().
struct BatchLoss {
  double total = 0;
  std::vector<double> parts;
};

class Model {
 public:
  // `declaration`: the kind's, which outlives every model of it (a static in the kind's module).
  explicit Model(const ModelKind& declaration) : declaration_(&declaration) {}
  virtual ~Model() = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  AlignedVector<float> parameters;  // flat; see tensors
  AlignedVector<float> gradients;   // same layout as parameters
  std::vector<Tensor> tensors;      // every parameter, in buffer order, covering it without gaps

  // What the kind declares about itself (name, options, presets, supervised, score columns).
  const ModelKind& declaration() const { return *declaration_; }
  // "autoencoder", "vae", "lstm": the name make_model() builds it by.
  const std::string& kind() const;
  // Everything make_model() needs to rebuild this model (input width, layers, loss...), as JSON.
  virtual nlohmann::json architecture() const = 0;
  virtual int input_width() const = 0;

  // Starting weights, drawn from `rng` (Glorot-uniform, orthogonal... as the model's reference does).
  virtual void init(Rng& rng) = 0;
  virtual std::unique_ptr<Workspace> new_workspace() const = 0;

  // Which rows it learns from: a supervised model (a classifier) takes every labelled row and needs both
  // classes; the others learn what normal looks like from the normal rows (every row when unlabelled).
  bool supervised() const;

  // Forward and backward on one batch: returns the batch's mean loss (the configured training loss) and
  // ADDS d loss / d parameters to `gradients`. `rng` serves the model's own randomness (denoising noise,
  // a VAE's epsilon, dropout masks).
  virtual BatchLoss loss_and_gradients(const Batch& batch, Rng& rng, Workspace& workspace) = 0;
  // The configured training loss of a batch, without gradients and without randomness (validation).
  virtual BatchLoss loss(const Batch& batch, Workspace& workspace) const = 0;
  // Names of the loss parts (empty when the loss has none), and of the training loss itself ("mae", "bce"...).
  virtual std::vector<std::string> loss_parts() const { return {}; }
  virtual std::string loss_name() const = 0;

  // One anomaly score per beat (higher is more anomalous), batch-invariant. `scores` gets beats.cols() entries.
  virtual void score(const Mat<float>& beats, Workspace& workspace, Eigen::VectorXd& scores) const = 0;
  // What the score is: a column name for output ("error", "probability") and a sentence for people.
  virtual std::string score_name() const = 0;
  virtual std::string score_description() const = 0;

  // For models that rebuild their input (the report draws it): the reconstruction that score() measured,
  // batch-invariant. Returns false for models that do not reconstruct (a classifier).
  virtual bool reconstruct(const Mat<float>& beats, Workspace& workspace, Mat<float>& output) const;

  // A short description of the layers for people ("140 → 32 (relu) → ..."), for the report and info.
  virtual std::string summary() const = 0;

  // The tensor of that name as a matrix view (rows x cols; a vector is n x 1) into `buffer` (parameters or
  // gradients), writable or read-only. Throws ecgad::Error when there is none.
  MatMap<float> view(const std::string& name, AlignedVector<float>& buffer) const;
  Eigen::Map<const Mat<float>> view(const std::string& name, const AlignedVector<float>& buffer) const;
  const Tensor& tensor(const std::string& name) const;
  // The sum of the tensors' sizes, computed when they were added (with overflow checks).
  std::size_t parameter_count() const { return parameter_count_; }
  // Zero-filled parameters and gradients for the tensor table. make_model() calls it once the count is checked.
  void allocate();

 protected:
  // Appends a tensor to the table (a constructor's job; nothing is allocated yet) and returns its offset.
  // Throws ecgad::Error when the model would exceed 2^31 parameters.
  std::size_t add_tensor(const std::string& name, std::vector<std::size_t> shape);

 private:
  const ModelKind* declaration_;
  std::size_t parameter_count_ = 0;
};

// A Workspace that holds a kind's own scratch.
template <typename Scratch>
struct WorkspaceOf final : Workspace {
  Scratch scratch;
};

// The base of a kind whose per-call scratch is a `Scratch`: the kind implements the *_with calls on its typed
// scratch, and this is the one place where a Workspace becomes that type again (checked: a workspace made by
// another kind of model is an error, not undefined behaviour).
template <typename Scratch>
class ModelWith : public Model {
 public:
  using Model::Model;
  std::unique_ptr<Workspace> new_workspace() const final { return std::make_unique<WorkspaceOf<Scratch>>(); }
  BatchLoss loss_and_gradients(const Batch& batch, Rng& rng, Workspace& workspace) final {
    return loss_and_gradients_with(batch, rng, own(workspace));
  }
  BatchLoss loss(const Batch& batch, Workspace& workspace) const final { return loss_with(batch, own(workspace)); }
  void score(const Mat<float>& beats, Workspace& workspace, Eigen::VectorXd& scores) const final {
    score_with(beats, own(workspace), scores);
  }
  bool reconstruct(const Mat<float>& beats, Workspace& workspace, Mat<float>& output) const final {
    return reconstruct_with(beats, own(workspace), output);
  }

 protected:
  // Model's calls of the same names, on the kind's own scratch.
  virtual BatchLoss loss_and_gradients_with(const Batch& batch, Rng& rng, Scratch& scratch) = 0;
  virtual BatchLoss loss_with(const Batch& batch, Scratch& scratch) const = 0;
  virtual void score_with(const Mat<float>& beats, Scratch& scratch, Eigen::VectorXd& scores) const = 0;
  virtual bool reconstruct_with(const Mat<float>&, Scratch&, Mat<float>&) const { return false; }

 private:
  Scratch& own(Workspace& workspace) const {
    auto* typed = dynamic_cast<WorkspaceOf<Scratch>*>(&workspace);
    if (typed == nullptr) throw Error("a workspace made by another kind of model was given to a " + kind() + " model");
    return typed->scratch;
  }
};

// The most parameters make_model() allocates unless told otherwise: 2^28 float32 (1 GiB), far past any ECG model.
constexpr std::size_t kDefaultParameterLimit = std::size_t{1} << 28;

// The kinds this ecgad knows (src/model_registry.cc, the one list of them; model_kind.h says what a kind
// declares). A caller may pass a list of its own (the tests add a toy kind to show that a new model needs nothing
// but its module and an entry).
const std::vector<ModelKind>& builtin_model_kinds();
std::vector<std::string> model_kinds(const std::vector<ModelKind>& kinds = builtin_model_kinds());  // their names

// Builds a model of `kind` from its architecture (as architecture() wrote it, or the options a user gave, which
// complete_architecture() in model_kind.h checks and completes), with zero parameters until init() or a model
// file fills them. Nothing is allocated before the parameter count is known to be at most `max_parameters`.
// Throws ecgad::Error on an unknown kind, an architecture it cannot build, or too many parameters.
std::unique_ptr<Model> make_model(const std::string& kind, const nlohmann::json& architecture,
                                  std::size_t max_parameters = kDefaultParameterLimit,
                                  const std::vector<ModelKind>& kinds = builtin_model_kinds());

// Scores beats in chunks (so that a large input does not hold every activation at once) with the model's
// batch-invariant score(). Throws ecgad::Error when the input width is not the model's.
Eigen::VectorXd score_beats(const Model& model, const Mat<float>& beats, Workspace& workspace);
// The chunks themselves, for any batch-invariant per-beat function `score` (a kind's own, on its scratch).
void score_in_chunks(const Mat<float>& beats, const std::function<void(const Mat<float>&, Eigen::VectorXd&)>& score,
                     Eigen::VectorXd& scores);

}  // namespace ecgad
