#include "ecgad/model.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "ecgad/error.h"
#include "ecgad/model_kind.h"

namespace ecgad {

std::size_t Tensor::size() const {
  std::size_t n = 1;
  for (std::size_t d : shape) n *= d;
  return n;
}

const std::string& Model::kind() const { return declaration_->name; }

bool Model::supervised() const { return declaration_->supervised; }

bool Model::reconstruct(const Mat<float>&, Workspace&, Mat<float>&) const { return false; }

const Tensor& Model::tensor(const std::string& name) const {
  for (const Tensor& t : tensors) {
    if (t.name == name) return t;
  }
  throw Error("the " + kind() + " model has no tensor '" + name + "'");
}

namespace {

// A tensor's matrix shape: (shape[0], the rest); a vector is (n, 1).
std::pair<Eigen::Index, Eigen::Index> matrix_shape(const Tensor& t) {
  auto rows = static_cast<Eigen::Index>(t.shape.empty() ? 1 : t.shape[0]);
  auto cols = static_cast<Eigen::Index>(t.shape.size() < 2 ? 1 : t.size() / t.shape[0]);
  return {rows, cols};
}

}  // namespace

MatMap<float> Model::view(const std::string& name, AlignedVector<float>& buffer) const {
  const Tensor& t = tensor(name);
  auto [rows, cols] = matrix_shape(t);
  return MatMap<float>(buffer.data() + t.offset, rows, cols);
}

Eigen::Map<const Mat<float>> Model::view(const std::string& name, const AlignedVector<float>& buffer) const {
  const Tensor& t = tensor(name);
  auto [rows, cols] = matrix_shape(t);
  return Eigen::Map<const Mat<float>>(buffer.data() + t.offset, rows, cols);
}

std::size_t Model::add_tensor(const std::string& name, std::vector<std::size_t> shape) {
  constexpr std::size_t kMax = std::size_t{1} << 31;  // 8 GiB of float32: far past any ECG model
  std::size_t count = 1;
  for (std::size_t d : shape) {
    if (d == 0 || d > kMax || count > kMax / d) throw Error("tensor '" + name + "' is too large");
    count *= d;
  }
  if (parameter_count_ > kMax - count) throw Error("the model has too many parameters");
  std::size_t offset = parameter_count_;
  tensors.push_back({name, std::move(shape), offset});
  parameter_count_ += count;
  return offset;
}

void Model::allocate() {
  parameters.assign(parameter_count_, 0.0f);
  gradients.assign(parameter_count_, 0.0f);
}

void score_in_chunks(const Mat<float>& beats, const std::function<void(const Mat<float>&, Eigen::VectorXd&)>& score,
                     Eigen::VectorXd& scores) {
  constexpr Eigen::Index kChunk = 4096;
  if (beats.cols() <= kChunk) {
    score(beats, scores);
    return;
  }
  scores.resize(beats.cols());
  Mat<float> chunk;
  Eigen::VectorXd part;
  for (Eigen::Index start = 0; start < beats.cols(); start += kChunk) {
    Eigen::Index count = std::min(kChunk, beats.cols() - start);
    chunk = beats.middleCols(start, count);
    score(chunk, part);
    scores.segment(start, count) = part;
  }
}

Eigen::VectorXd score_beats(const Model& model, const Mat<float>& beats, Workspace& workspace) {
  if (beats.rows() != model.input_width()) {
    throw Error("the model takes beats of " + std::to_string(model.input_width()) + " samples, not " +
                std::to_string(beats.rows()));
  }
  Eigen::VectorXd scores(beats.cols());
  score_in_chunks(
      beats, [&](const Mat<float>& chunk, Eigen::VectorXd& part) { model.score(chunk, workspace, part); }, scores);
  return scores;
}

}  // namespace ecgad
