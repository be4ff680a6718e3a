#include "ecgad/network.h"

#include <cmath>
#include <string>

#include "ecgad/error.h"

namespace ecgad {

const char* to_string(Activation activation) {
  switch (activation) {
    case Activation::relu: return "relu";
    case Activation::sigmoid: return "sigmoid";
    case Activation::linear: return "linear";
  }
  return "?";
}

Activation parse_activation(const std::string& name) {
  if (name == "relu") return Activation::relu;
  if (name == "sigmoid") return Activation::sigmoid;
  if (name == "linear") return Activation::linear;
  throw Error("unknown activation '" + name + "' (expected relu, sigmoid or linear)");
}

std::vector<DenseSpec> autoencoder_layers(int width, const std::vector<int>& encoder) {
  if (width < 1) throw Error("the input width must be at least 1");
  if (encoder.empty()) throw Error("the encoder needs at least one layer size, e.g. --layers 32,16,8");
  for (int size : encoder) {
    if (size < 1 || size > 65536) throw Error("layer size " + std::to_string(size) + " is not in 1..65536");
  }
  std::vector<int> sizes = {width};
  sizes.insert(sizes.end(), encoder.begin(), encoder.end());
  for (std::size_t i = encoder.size() - 1; i-- > 0;) sizes.push_back(encoder[i]);
  sizes.push_back(width);
  std::vector<DenseSpec> specs;
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    bool last = i + 2 == sizes.size();
    specs.push_back({sizes[i], sizes[i + 1], last ? Activation::sigmoid : Activation::relu});
  }
  return specs;
}

template <typename T>
DenseStack<T>::DenseStack(std::vector<DenseSpec> specs, std::size_t buffer_offset)
    : layers(std::move(specs)), offset(buffer_offset) {
  if (layers.empty()) throw Error("a network needs at least one layer");
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].inputs < 1 || layers[i].outputs < 1 || layers[i].inputs > 65536 || layers[i].outputs > 65536) {
      throw Error("layer sizes must be in 1..65536");
    }
    if (i > 0 && layers[i].inputs != layers[i - 1].outputs) {
      throw Error("layer " + std::to_string(i) + " takes " + std::to_string(layers[i].inputs) +
                  " inputs but the previous layer gives " + std::to_string(layers[i - 1].outputs));
    }
  }
}

template <typename T>
std::size_t DenseStack<T>::parameter_count() const {
  return weight_offset(layers.size()) - offset;
}

template <typename T>
std::size_t DenseStack<T>::weight_offset(std::size_t layer) const {
  std::size_t at = offset;
  for (std::size_t i = 0; i < layer; ++i) {
    at += static_cast<std::size_t>(layers[i].outputs) * static_cast<std::size_t>(layers[i].inputs + 1);
  }
  return at;
}

template <typename T>
std::size_t DenseStack<T>::bias_offset(std::size_t layer) const {
  return weight_offset(layer) + static_cast<std::size_t>(layers[layer].outputs) * layers[layer].inputs;
}

template <typename T>
MatMap<T> DenseStack<T>::weight(std::size_t layer, T* buffer) const {
  return MatMap<T>(buffer + weight_offset(layer), layers[layer].outputs, layers[layer].inputs);
}

template <typename T>
VecMap<T> DenseStack<T>::bias(std::size_t layer, T* buffer) const {
  return VecMap<T>(buffer + bias_offset(layer), layers[layer].outputs);
}

template <typename T>
void DenseStack<T>::init_glorot_uniform(T* params, Rng& rng) const {
  for (std::size_t i = 0; i < layers.size(); ++i) {
    double limit = std::sqrt(6.0 / (layers[i].inputs + layers[i].outputs));
    MatMap<T> W = weight(i, params);
    // Row by row: the same draw order as Keras' (inputs, outputs) kernel read out in storage order.
    for (Eigen::Index c = 0; c < W.cols(); ++c) {
      for (Eigen::Index r = 0; r < W.rows(); ++r) {
        W(r, c) = static_cast<T>((2.0 * rng.uniform01() - 1.0) * limit);
      }
    }
    bias(i, params).setZero();
  }
}

template <typename T>
static void activate_forward(Activation activation, Mat<T>& y) {
  switch (activation) {
    case Activation::relu: relu_forward(y, y); break;
    case Activation::sigmoid: sigmoid_forward(y, y); break;
    case Activation::linear: break;
  }
}

template <typename T>
static void activate_backward(Activation activation, Mat<T>& d, const Mat<T>& y) {
  switch (activation) {
    case Activation::relu: relu_backward(d, d, y); break;
    case Activation::sigmoid: sigmoid_backward(d, d, y); break;
    case Activation::linear: break;
  }
}

template <typename T>
const Mat<T>& DenseStack<T>::forward(const T* params, const Mat<T>& x, DenseCache<T>& cache) const {
  if (x.rows() != input_width()) {
    throw Error("the network takes " + std::to_string(input_width()) + " inputs, not " + std::to_string(x.rows()));
  }
  T* p = const_cast<T*>(params);  // the maps are only read here
  cache.outputs.resize(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Mat<T>& in = i == 0 ? x : cache.outputs[i - 1];
    Mat<T>& out = cache.outputs[i];
    dense_forward<T>(out, in, weight(i, p), bias(i, p));
    activate_forward(layers[i].activation, out);
  }
  return cache.outputs.back();
}

template <typename T>
void DenseStack<T>::backward(const T* params, T* grads, const Mat<T>& x, const Mat<T>& doutput, DenseCache<T>& cache,
                             Mat<T>* dx) const {
  T* p = const_cast<T*>(params);  // read only
  cache.deltas.resize(layers.size());
  cache.deltas.back() = doutput;
  for (std::size_t i = layers.size(); i-- > 0;) {
    activate_backward(layers[i].activation, cache.deltas[i], cache.outputs[i]);
    const Mat<T>& in = i == 0 ? x : cache.outputs[i - 1];
    Mat<T>* d_in = i == 0 ? dx : &cache.deltas[i - 1];
    dense_backward<T>(d_in, weight(i, grads), bias(i, grads), cache.deltas[i], in, weight(i, p));
  }
}

template <typename T>
Network<T>::Network(std::vector<DenseSpec> specs) : DenseStack<T>(std::move(specs), 0) {
  params.assign(this->parameter_count(), T(0));
  grads.assign(this->parameter_count(), T(0));
}

template struct DenseStack<float>;
template struct DenseStack<double>;
template struct Network<float>;
template struct Network<double>;

}  // namespace ecgad
