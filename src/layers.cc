#include "ecgad/layers.h"

#include "ecgad/exact_gemm.h"
#include "ecgad/float_math.h"

namespace ecgad {

// Every product below is one std::fma chain per element in a fixed order (src/exact_gemm.cc), every other
// operation elementwise or a sum in a fixed order: a beat's result does not depend on the other beats of its
// batch, and training computes the same bits in every build and on every CPU (the library is compiled with
// -ffp-contract=off). Eigen's products and reductions do not promise either: their kernels and the order of
// their sums follow the batch size and the vector width.

// y = W x + b: each output starts at its bias and adds its inputs in order k = 0, 1, ...
template <typename T>
void dense_forward(Mat<T>& y, const Mat<T>& x, const ConstMatRef<T>& W, const ConstVecRef<T>& b) {
  const Eigen::Index outputs = W.rows(), inputs = W.cols(), batch = x.cols();
  y.resize(outputs, batch);
  for (Eigen::Index j = 0; j < batch; ++j) y.col(j) = b;
  if (W.outerStride() == outputs) {
    exact_gemm(y.data(), W.data(), x.data(), outputs, inputs, batch);
  } else {
    const Mat<T> dense = W;  // the kernels read W with no gap between its columns
    exact_gemm(y.data(), dense.data(), x.data(), outputs, inputs, batch);
  }
}

// dW += dy x^T (each dW(o, i) adds over the batch in order), db += the batch's dy in order, dx = W^T dy.
template <typename T>
void dense_backward(Mat<T>* dx, MatRef<T> dW, VecRef<T> db, const Mat<T>& dy, const Mat<T>& x,
                    const ConstMatRef<T>& W) {
  const Eigen::Index outputs = W.rows(), inputs = W.cols(), batch = dy.cols();
  if (dW.outerStride() == outputs) {
    exact_gemm_abt(dW.data(), dy.data(), x.data(), outputs, inputs, batch);
  } else {
    Mat<T> dense = dW;
    exact_gemm_abt(dense.data(), dy.data(), x.data(), outputs, inputs, batch);
    dW = dense;
  }
  for (Eigen::Index j = 0; j < batch; ++j) db += dy.col(j);
  if (dx) {
    const Mat<T> Wt = W.transpose();  // W^T dy is then a product of the kernels' form
    dx->setZero(inputs, batch);
    exact_gemm(dx->data(), Wt.data(), dy.data(), inputs, outputs, batch);
  }
}

template <typename T>
void relu_forward(Mat<T>& y, const Mat<T>& x) {
  y = x.cwiseMax(T(0));
}

template <typename T>
void relu_backward(Mat<T>& dx, const Mat<T>& dy, const Mat<T>& y) {
  dx = (y.array() > T(0)).select(dy, T(0));
}

template <typename T>
void sigmoid_forward(Mat<T>& y, const Mat<T>& x) {
  y.resize(x.rows(), x.cols());
  const T* in = x.data();
  T* out = y.data();
  for (Eigen::Index i = 0, n = x.size(); i < n; ++i) out[i] = float_math::sigmoid(in[i]);
}

template <typename T>
void sigmoid_backward(Mat<T>& dx, const Mat<T>& dy, const Mat<T>& y) {
  dx = (dy.array() * y.array() * (T(1) - y.array())).matrix();
}

template <typename T>
T mae_forward(const Mat<T>& prediction, const Mat<T>& target) {
  const T* p = prediction.data();
  const T* t = target.data();
  const double sum = float_math::ordered_sum(prediction.size(), [&](Eigen::Index i) { return std::abs(p[i] - t[i]); });
  return static_cast<T>(sum / static_cast<double>(prediction.size()));
}

template <typename T>
void mae_backward(Mat<T>& dprediction, const Mat<T>& prediction, const Mat<T>& target) {
  T scale = T(1) / static_cast<T>(prediction.size());
  dprediction.resize(prediction.rows(), prediction.cols());
  // A plain loop that the compiler vectorizes; Eigen's sign() did not and took 13% of training time.
  const T* p = prediction.data();
  const T* t = target.data();
  T* d = dprediction.data();
  for (Eigen::Index i = 0, n = prediction.size(); i < n; ++i)
    d[i] = p[i] > t[i] ? scale : (p[i] < t[i] ? -scale : T(0));
}

template <typename T>
T mse_forward(const Mat<T>& prediction, const Mat<T>& target) {
  const T* p = prediction.data();
  const T* t = target.data();
  const double sum = float_math::ordered_sum(prediction.size(), [&](Eigen::Index i) {
    const T d = p[i] - t[i];
    return d * d;
  });
  return static_cast<T>(sum / static_cast<double>(prediction.size()));
}

template <typename T>
void mse_backward(Mat<T>& dprediction, const Mat<T>& prediction, const Mat<T>& target) {
  dprediction = (prediction - target) * (T(2) / static_cast<T>(prediction.size()));
}

template <typename T>
T bce_logits_forward(const Mat<T>& z, const Mat<T>& y) {
  const T* zp = z.data();
  const T* yp = y.data();
  const double sum =
      float_math::ordered_sum(z.size(), [&](Eigen::Index i) { return float_math::softplus(zp[i]) - zp[i] * yp[i]; });
  return static_cast<T>(sum / static_cast<double>(z.size()));
}

template <typename T>
void bce_logits_backward(Mat<T>& dz, const Mat<T>& z, const Mat<T>& y) {
  const T scale = T(1) / static_cast<T>(z.size());
  dz.resize(z.rows(), z.cols());
  const T* zp = z.data();
  const T* yp = y.data();
  T* d = dz.data();
  for (Eigen::Index i = 0, n = z.size(); i < n; ++i) d[i] = (float_math::sigmoid(zp[i]) - yp[i]) * scale;
}

template <typename T>
Eigen::VectorXd mae_per_column(const Mat<T>& prediction, const Mat<T>& target) {
  const Eigen::Index n = prediction.rows();
  Eigen::VectorXd errors(prediction.cols());
  for (Eigen::Index j = 0; j < prediction.cols(); ++j) {
    const T* p = prediction.col(j).data();
    const T* t = target.col(j).data();
    double sum = 0;
    for (Eigen::Index i = 0; i < n; ++i) sum += std::abs(static_cast<double>(p[i]) - static_cast<double>(t[i]));
    errors(j) = sum / static_cast<double>(n);
  }
  return errors;
}

#define ECGAD_INSTANTIATE_LAYERS(T)                                                                                    \
  template void dense_forward<T>(Mat<T>&, const Mat<T>&, const ConstMatRef<T>&, const ConstVecRef<T>&);                \
  template void dense_backward<T>(Mat<T>*, MatRef<T>, VecRef<T>, const Mat<T>&, const Mat<T>&, const ConstMatRef<T>&); \
  template void relu_forward<T>(Mat<T>&, const Mat<T>&);                                                               \
  template void relu_backward<T>(Mat<T>&, const Mat<T>&, const Mat<T>&);                                               \
  template void sigmoid_forward<T>(Mat<T>&, const Mat<T>&);                                                            \
  template void sigmoid_backward<T>(Mat<T>&, const Mat<T>&, const Mat<T>&);                                            \
  template T mae_forward<T>(const Mat<T>&, const Mat<T>&);                                                             \
  template void mae_backward<T>(Mat<T>&, const Mat<T>&, const Mat<T>&);                                                \
  template T mse_forward<T>(const Mat<T>&, const Mat<T>&);                                                             \
  template void mse_backward<T>(Mat<T>&, const Mat<T>&, const Mat<T>&);                                                \
  template T bce_logits_forward<T>(const Mat<T>&, const Mat<T>&);                                                      \
  template void bce_logits_backward<T>(Mat<T>&, const Mat<T>&, const Mat<T>&);                                         \
  template Eigen::VectorXd mae_per_column<T>(const Mat<T>&, const Mat<T>&);

ECGAD_INSTANTIATE_LAYERS(float)
ECGAD_INSTANTIATE_LAYERS(double)

}  // namespace ecgad
