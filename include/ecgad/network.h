// A feed-forward stack of dense layers whose parameters live in one flat buffer, as llm.c keeps them:
// for each layer, W (outputs x inputs, column-major) then b (outputs). Gradients mirror the buffer, so
// the optimizer and the model file see plain arrays and need not know the architecture.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ecgad/layers.h"
#include "ecgad/random.h"

namespace ecgad {

enum class Activation { relu, sigmoid, linear };
const char* to_string(Activation activation);
Activation parse_activation(const std::string& name);  // throws ecgad::Error

struct DenseSpec {
  int inputs = 0, outputs = 0;
  Activation activation = Activation::relu;
};

// width -> encoder[0] -> ... -> encoder[k-1] -> ... mirrored ... -> width; ReLU everywhere but a sigmoid
// on the last layer. {32, 16, 8} on 140 samples is the tutorial's 140-32-16-8-16-32-140.
std::vector<DenseSpec> autoencoder_layers(int width, const std::vector<int>& encoder);

template <typename T>
struct Network {
  std::vector<DenseSpec> layers;
  AlignedVector<T> params;  // flat, see above
  AlignedVector<T> grads;   // same layout as params
  std::vector<Mat<T>> outputs;  // outputs[i]: layer i's activation (outputs_i, B), kept for backward
  std::vector<Mat<T>> deltas;   // scratch for backward: d loss / d outputs[i]

  explicit Network(std::vector<DenseSpec> specs);  // zero parameters; throws on mismatched sizes

  std::size_t weight_offset(std::size_t layer) const;  // into params/grads
  std::size_t bias_offset(std::size_t layer) const;
  MatMap<T> weight(std::size_t layer, AlignedVector<T>& buffer) const;
  VecMap<T> bias(std::size_t layer, AlignedVector<T>& buffer) const;

  // Glorot-uniform weights, U(-sqrt(6/(in+out)), +sqrt(6/(in+out))), and zero biases (Keras' defaults).
  void init_glorot_uniform(Rng& rng);

  // x (inputs, B) -> output (outputs, B). Keeps every layer's output for backward.
  const Mat<T>& forward(const Mat<T>& x);
  // The same as forward with dense_forward_exact and sigmoid_forward_exact: for scoring, where a beat's
  // output must not depend on its batch. Slower than forward; keeps nothing for backward.
  const Mat<T>& infer(const Mat<T>& x);
  // Given d loss / d output for the last forward(x), writes grads.
  void backward(const Mat<T>& x, const Mat<T>& doutput);

  int input_width() const { return layers.front().inputs; }
  int output_width() const { return layers.back().outputs; }

 private:
  const Mat<T>& run(const Mat<T>& x, bool batch_invariant);
};

extern template struct Network<float>;
extern template struct Network<double>;

}  // namespace ecgad
