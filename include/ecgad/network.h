// A feed-forward stack of dense layers over a flat parameter buffer, as llm.c keeps them: for each layer,
// W (outputs x inputs, column-major) then b (outputs). A model places one or more stacks in its buffer (the
// autoencoder one, a VAE three) at their own offsets; the scratch of a pass lives in a DenseCache the caller
// owns, so a const model can run on several caches at once.
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

// Scratch of one pass through a stack.
template <typename T>
struct DenseCache {
  std::vector<Mat<T>> outputs;  // outputs[i]: layer i's activation (outputs_i, B), kept for backward
  std::vector<Mat<T>> deltas;   // d loss / d outputs[i], during backward
};

template <typename T>
struct DenseStack {
  std::vector<DenseSpec> layers;
  std::size_t offset = 0;  // where the first layer's W starts in the model's buffer

  DenseStack() = default;
  // Throws ecgad::Error on an empty list, sizes outside 1..65536 or layers that do not chain.
  DenseStack(std::vector<DenseSpec> specs, std::size_t buffer_offset);

  std::size_t parameter_count() const;
  std::size_t weight_offset(std::size_t layer) const;  // into the model's buffer
  std::size_t bias_offset(std::size_t layer) const;
  MatMap<T> weight(std::size_t layer, T* buffer) const;
  VecMap<T> bias(std::size_t layer, T* buffer) const;
  int input_width() const { return layers.front().inputs; }
  int output_width() const { return layers.back().outputs; }

  // Glorot-uniform weights, U(-sqrt(6/(in+out)), +sqrt(6/(in+out))), and zero biases (Keras' defaults).
  void init_glorot_uniform(T* params, Rng& rng) const;
  // x (inputs, B) -> output (outputs, B), keeping every layer's output in `cache` for backward. A beat's output
  // does not depend on the other beats of the batch (the layers' products are exact, src/layers.cc), so
  // training and scoring share this one function.
  const Mat<T>& forward(const T* params, const Mat<T>& x, DenseCache<T>& cache) const;
  // Given d loss / d output of the last forward(x) on `cache`, ADDS the parameter gradients to `grads` and,
  // when dx is not null, writes d loss / d x.
  void backward(const T* params, T* grads, const Mat<T>& x, const Mat<T>& doutput, DenseCache<T>& cache,
                Mat<T>* dx = nullptr) const;
};

// A stack that owns its buffers and one cache: for tests, benchmarks and gradient checks in double.
template <typename T>
struct Network : DenseStack<T> {
  AlignedVector<T> params, grads;
  DenseCache<T> cache;

  explicit Network(std::vector<DenseSpec> specs);  // zero parameters and gradients

  using DenseStack<T>::weight;
  using DenseStack<T>::bias;
  MatMap<T> weight(std::size_t layer, AlignedVector<T>& buffer) const { return weight(layer, buffer.data()); }
  VecMap<T> bias(std::size_t layer, AlignedVector<T>& buffer) const { return bias(layer, buffer.data()); }
  void init_glorot_uniform(Rng& rng) { DenseStack<T>::init_glorot_uniform(params.data(), rng); }
  const Mat<T>& forward(const Mat<T>& x) { return DenseStack<T>::forward(params.data(), x, cache); }
  // Adds to grads (zero them first for the gradient of one batch).
  void backward(const Mat<T>& x, const Mat<T>& doutput) {
    DenseStack<T>::backward(params.data(), grads.data(), x, doutput, cache);
  }
};

extern template struct DenseStack<float>;
extern template struct DenseStack<double>;
extern template struct Network<float>;
extern template struct Network<double>;

}  // namespace ecgad
