#include "ecgad/layers.h"

#include "ecgad/exact_gemm.h"

namespace ecgad {

template <typename T>
void dense_forward(Mat<T>& y, const Mat<T>& x, const ConstMatRef<T>& W, const ConstVecRef<T>& b) {
  y.resize(W.rows(), x.cols());
  y.noalias() = W * x;
  y.colwise() += b;
}

template <typename T>
void dense_backward(Mat<T>* dx, MatRef<T> dW, VecRef<T> db, const Mat<T>& dy, const Mat<T>& x,
                    const ConstMatRef<T>& W) {
  dW.noalias() += dy * x.transpose();
  db += dy.rowwise().sum();
  if (dx) {
    dx->resize(W.cols(), dy.cols());
    dx->noalias() = W.transpose() * dy;
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
  y = (T(1) + (-x.array()).exp()).inverse().matrix();
}

template <typename T>
void sigmoid_backward(Mat<T>& dx, const Mat<T>& dy, const Mat<T>& y) {
  dx = (dy.array() * y.array() * (T(1) - y.array())).matrix();
}

template <typename T>
T mae_forward(const Mat<T>& prediction, const Mat<T>& target) {
  return (prediction - target).cwiseAbs().sum() / static_cast<T>(prediction.size());
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
  return (prediction - target).squaredNorm() / static_cast<T>(prediction.size());
}

template <typename T>
void mse_backward(Mat<T>& dprediction, const Mat<T>& prediction, const Mat<T>& target) {
  dprediction = (prediction - target) * (T(2) / static_cast<T>(prediction.size()));
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

template <typename T>
void dense_forward_exact(Mat<T>& y, const Mat<T>& x, const ConstMatRef<T>& W, const ConstVecRef<T>& b) {
  const Eigen::Index outputs = W.rows(), inputs = W.cols(), batch = x.cols();
  y.resize(outputs, batch);
  for (Eigen::Index j = 0; j < batch; ++j) y.col(j) = b;
  // Each output sums its inputs in order k = 0, 1, ...: the LSTM's kernels (one FMA chain per output, the widest
  // vectors the CPU has, the same bits on every one).
  if (W.outerStride() == outputs) {
    exact_gemm(y.data(), W.data(), x.data(), outputs, inputs, batch);
  } else {
    const Mat<T> dense = W;  // the kernels read W with no gap between its columns
    exact_gemm(y.data(), dense.data(), x.data(), outputs, inputs, batch);
  }
}

template <typename T>
void sigmoid_forward_exact(Mat<T>& y, const Mat<T>& x) {
  // Each column goes through an aligned buffer padded to a multiple of 16, so every value takes Eigen's
  // vectorized exp (never the scalar tail path, which rounds differently) wherever it sits in the batch.
  const Eigen::Index rows = x.rows(), padded = (rows + 15) / 16 * 16;
  Eigen::Array<T, Eigen::Dynamic, 1> buffer(padded);
  y.resize(x.rows(), x.cols());
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    buffer.head(rows) = x.col(j).array();
    buffer.tail(padded - rows).setZero();
    buffer = (T(1) + (-buffer).exp()).inverse();
    y.col(j) = buffer.head(rows).matrix();
  }
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
  template Eigen::VectorXd mae_per_column<T>(const Mat<T>&, const Mat<T>&);                                            \
  template void dense_forward_exact<T>(Mat<T>&, const Mat<T>&, const ConstMatRef<T>&, const ConstVecRef<T>&);          \
  template void sigmoid_forward_exact<T>(Mat<T>&, const Mat<T>&);

ECGAD_INSTANTIATE_LAYERS(float)
ECGAD_INSTANTIATE_LAYERS(double)

}  // namespace ecgad
