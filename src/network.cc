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
Network<T>::Network(std::vector<DenseSpec> specs) : layers(std::move(specs)) {
  if (layers.empty()) throw Error("a network needs at least one layer");
  std::size_t count = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].inputs < 1 || layers[i].outputs < 1) throw Error("layer sizes must be positive");
    if (i > 0 && layers[i].inputs != layers[i - 1].outputs) {
      throw Error("layer " + std::to_string(i) + " takes " + std::to_string(layers[i].inputs) +
                  " inputs but the previous layer gives " + std::to_string(layers[i - 1].outputs));
    }
    count += static_cast<std::size_t>(layers[i].outputs) * static_cast<std::size_t>(layers[i].inputs + 1);
  }
  params.assign(count, T(0));
  grads.assign(count, T(0));
  outputs.resize(layers.size());
  deltas.resize(layers.size());
}

template <typename T>
std::size_t Network<T>::weight_offset(std::size_t layer) const {
  std::size_t offset = 0;
  for (std::size_t i = 0; i < layer; ++i) {
    offset += static_cast<std::size_t>(layers[i].outputs) * static_cast<std::size_t>(layers[i].inputs + 1);
  }
  return offset;
}

template <typename T>
std::size_t Network<T>::bias_offset(std::size_t layer) const {
  return weight_offset(layer) + static_cast<std::size_t>(layers[layer].outputs) * layers[layer].inputs;
}

template <typename T>
MatMap<T> Network<T>::weight(std::size_t layer, AlignedVector<T>& buffer) const {
  return MatMap<T>(buffer.data() + weight_offset(layer), layers[layer].outputs, layers[layer].inputs);
}

template <typename T>
VecMap<T> Network<T>::bias(std::size_t layer, AlignedVector<T>& buffer) const {
  return VecMap<T>(buffer.data() + bias_offset(layer), layers[layer].outputs);
}

template <typename T>
void Network<T>::init_glorot_uniform(Rng& rng) {
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
const Mat<T>& Network<T>::run(const Mat<T>& x, bool batch_invariant) {
  if (x.rows() != input_width()) {
    throw Error("the network takes " + std::to_string(input_width()) + " inputs, not " + std::to_string(x.rows()));
  }
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Mat<T>& in = i == 0 ? x : outputs[i - 1];
    if (batch_invariant) {
      dense_forward_exact(outputs[i], in, weight(i, params), bias(i, params));
    } else {
      dense_forward(outputs[i], in, weight(i, params), bias(i, params));
    }
    if (batch_invariant && layers[i].activation == Activation::sigmoid) {
      sigmoid_forward_exact(outputs[i], outputs[i]);
    } else {
      activate_forward(layers[i].activation, outputs[i]);  // ReLU is exact in any order
    }
  }
  return outputs.back();
}

template <typename T>
const Mat<T>& Network<T>::forward(const Mat<T>& x) {
  return run(x, false);
}

template <typename T>
const Mat<T>& Network<T>::infer(const Mat<T>& x) {
  return run(x, true);
}

template <typename T>
void Network<T>::backward(const Mat<T>& x, const Mat<T>& doutput) {
  deltas.back() = doutput;
  for (std::size_t i = layers.size(); i-- > 0;) {
    activate_backward(layers[i].activation, deltas[i], outputs[i]);
    const Mat<T>& in = i == 0 ? x : outputs[i - 1];
    MatMap<T> dW = weight(i, grads);
    VecMap<T> db = bias(i, grads);
    dense_backward(i == 0 ? nullptr : &deltas[i - 1], dW, db, deltas[i], in, weight(i, params));
  }
}

template struct Network<float>;
template struct Network<double>;

}  // namespace ecgad
