// The network's building blocks as plain forward/backward function pairs, in the style of llm.c.
// Shapes: the batch is the column dimension. x (I, B) input, y (O, B) output, W (O, I), b (O).
// Backward functions ADD to parameter gradients (the caller zeroes them once per step, as llm.c does) and
// write input gradients. Instantiated for float (training) and double (gradient checks).
#pragma once

#include <Eigen/Core>
#include <vector>

namespace ecgad {

template <typename T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <typename T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
// Parameter-sized buffers, aligned like Eigen's own matrices. With plain std::vector the buffers' alignment
// varied with the heap, and Eigen's vectorized loops over them then rounded differently: the same seed
// could train a different model in another process.
template <typename T>
using AlignedVector = std::vector<T, Eigen::aligned_allocator<T>>;
template <typename T>
using MatMap = Eigen::Map<Mat<T>>;
template <typename T>
using VecMap = Eigen::Map<Vec<T>>;
// Read-only and writable views of a parameter block: a Map into the flat buffer binds without a copy.
template <typename T>
using ConstMatRef = Eigen::Ref<const Mat<T>>;
template <typename T>
using ConstVecRef = Eigen::Ref<const Vec<T>>;
template <typename T>
using MatRef = Eigen::Ref<Mat<T>>;
template <typename T>
using VecRef = Eigen::Ref<Vec<T>>;

// y = W x + b. Each output starts at its bias and adds its inputs in order, one fused multiply-add each
// (src/exact_gemm.cc): a beat's result does not depend on the other beats of the batch, and every build and CPU
// computes the same bits, so training and scoring share one forward.
template <typename T>
void dense_forward(Mat<T>& y, const Mat<T>& x, const ConstMatRef<T>& W, const ConstVecRef<T>& b);
// dW += dy x^T, db += sum of dy over the batch, dx = W^T dy (skipped when dx is null: the first layer).
template <typename T>
void dense_backward(Mat<T>* dx, MatRef<T> dW, VecRef<T> db, const Mat<T>& dy, const Mat<T>& x, const ConstMatRef<T>& W);

// y = max(x, 0). In place is fine (y may be x).
template <typename T>
void relu_forward(Mat<T>& y, const Mat<T>& x);
// dx = dy where y > 0, else 0. Uses the output y, so the input need not be kept.
template <typename T>
void relu_backward(Mat<T>& dx, const Mat<T>& dy, const Mat<T>& y);

// y = 1 / (1 + exp(-x)). In place is fine.
template <typename T>
void sigmoid_forward(Mat<T>& y, const Mat<T>& x);
// dx = dy * y * (1 - y)
template <typename T>
void sigmoid_backward(Mat<T>& dx, const Mat<T>& dy, const Mat<T>& y);

// Mean absolute error over every element of the batch: Keras' losses.mae averaged over the batch.
template <typename T>
T mae_forward(const Mat<T>& prediction, const Mat<T>& target);
// d loss / d prediction = sign(prediction - target) / (B * N), 0 where they are equal.
template <typename T>
void mae_backward(Mat<T>& dprediction, const Mat<T>& prediction, const Mat<T>& target);

// Mean squared error over every element of the batch (Keras' losses.mse averaged over the batch); a
// training loss only: beats are always scored by their mean absolute error.
template <typename T>
T mse_forward(const Mat<T>& prediction, const Mat<T>& target);
// d loss / d prediction = 2 (prediction - target) / (B * N)
template <typename T>
void mse_backward(Mat<T>& dprediction, const Mat<T>& prediction, const Mat<T>& target);

// Binary cross-entropy from the logits z of a sigmoid output, as Keras computes it for one (it hands the
// sigmoid's input to sigmoid_cross_entropy_with_logits, so no clipping): the mean over every element of
// max(z, 0) - z y + log(1 + exp(-|z|)). Finite for every z, and an output the model gets wrong with certainty
// still teaches it, which the clipped form of the probability (zero gradient in the clip) does not.
template <typename T>
T bce_logits_forward(const Mat<T>& z, const Mat<T>& y);
// d loss / d z = (sigmoid(z) - y) / (the element count)
template <typename T>
void bce_logits_backward(Mat<T>& dz, const Mat<T>& z, const Mat<T>& y);

// Per-column (per-beat) mean absolute error: the anomaly score. Summed in double, in sample order.
template <typename T>
Eigen::VectorXd mae_per_column(const Mat<T>& prediction, const Mat<T>& target);

}  // namespace ecgad
