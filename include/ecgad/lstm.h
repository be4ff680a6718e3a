// An LSTM classifier written out: Keras' Sequential([LSTM(H), Dropout(rate), Dense(1, sigmoid)]) trained
// with binary cross-entropy, as plain forward/backward function pairs in the style of llm.c.
//
// Shapes: B beats (the column dimension), T time steps, F features per step, H hidden units.
//   x (F*T, B): step t of beat j is x(t*F .. t*F+F-1, j); a beat of 140 samples is (140, B) with F = 1.
// Parameters (one flat buffer, in this order; Keras' names in brackets, stored transposed so that the batch
// stays the column dimension, which keeps Keras' storage order: our column-major (4H, H) is Keras' row-major
// (H, 4H)):
//   Wx (4H, F) [kernel^T], Wh (4H, H) [recurrent_kernel^T], b (4H) [bias],
//   w_out (1, H) [dense kernel^T], b_out (1) [dense bias].
// Gate rows in Keras' order: i = rows [0, H), f = [H, 2H), c~ (here g) = [2H, 3H), o = [3H, 4H).
//   i = sigmoid(zi), f = sigmoid(zf), g = tanh(zg), o = sigmoid(zo), z = Wx x_t + Wh h_{t-1} + b
//   c_t = f * c_{t-1} + i * g,  h_t = o * tanh(c_t),  h_{-1} = c_{-1} = 0; only h_{T-1} goes on.
// Backward functions ACCUMULATE (+=) into gradient buffers; the caller zeroes them once per step, so a
// weight used at every time step needs nothing special.
// Instantiated for float (training, scoring) and double (gradient checks). In float the gate activations
// are rational approximations (Eigen's fast tanh, evaluated by one scalar formula that the compiler
// vectorizes, so a value rounds the same wherever it sits); in double they are std::tanh and std::exp.
#pragma once

#include <Eigen/Core>
#include <cstddef>

#include "ecgad/exact_gemm.h"
#include "ecgad/layers.h"
#include "ecgad/random.h"

namespace ecgad {

struct LstmShape {
  int features = 1;  // F
  int steps = 140;   // T
  int hidden = 100;  // H
};

// Views of the parameter blocks (or of their gradients) in a flat buffer laid out as above.
template <typename T>
struct LstmParams {
  MatMap<T> Wx;     // (4H, F)
  MatMap<T> Wh;     // (4H, H)
  VecMap<T> b;      // (4H)
  MatMap<T> w_out;  // (1, H)
  VecMap<T> b_out;  // (1)
};
std::size_t lstm_parameter_count(const LstmShape& shape);  // 4H(F + H + 1) + H + 1
template <typename T>
LstmParams<T> lstm_params(const LstmShape& shape, T* buffer);  // buffer holds lstm_parameter_count values

// Keras' Orthogonal initializer for a (rows, cols) kernel: a (max, min) standard Gaussian drawn row by row,
// its thin QR (Householder), Q's columns multiplied by the signs of R's diagonal (so that R's diagonal is
// positive and Q does not depend on the QR routine's sign choices), transposed when rows < cols. The result
// has orthonormal columns when rows >= cols, orthonormal rows otherwise.
Mat<double> keras_orthogonal(Eigen::Index rows, Eigen::Index cols, Rng& rng);

// Keras' LSTM and Dense defaults: Wx and w_out Glorot-uniform (drawn in Keras' storage order), Wh orthogonal,
// b zero but the forget gate's rows, which are 1 (unit_forget_bias), b_out zero.
template <typename T>
void lstm_init_keras(LstmParams<T>& params, const LstmShape& shape, Rng& rng);

// What forward keeps for backward, for one batch. Step t's block of B columns is [t*B, (t+1)*B). The buffers grow
// to the largest batch seen and keep that size (only their first columns are used).
template <typename T>
struct LstmCache {
  Mat<T> inputs;       // (F, T*B): column t*B + j is x_t of beat j (the input projection is one product)
  Mat<T> gates;        // (4H, T*B): activated gates i, f, g, o; lstm_backward overwrites them with dz
  Mat<T> cells;        // (H, (T+1)*B): block 0 is c_{-1} = 0, block t+1 is c_t
  Mat<T> tanh_cells;   // (H, T*B): tanh(c_t)
  Mat<T> hidden;       // (H, (T+1)*B): block 0 is h_{-1} = 0, block t+1 is h_t
  Mat<T> dh, dc;       // (H, B) scratch for backward
  Mat<T> recurrent_t;  // (H, 4H): Wh^T, for backward
  GemmKernel kernel = GemmKernel::automatic;  // float only; every choice gives the same bits (tests compare them)
};

// x (F*T, B) -> h (H, B), the last hidden state, keeping what backward needs (training path).
template <typename T>
void lstm_forward(Mat<T>& h, LstmCache<T>& cache, const Mat<T>& x, const LstmParams<T>& params, const LstmShape& shape);
// Backpropagation through time from dh (H, B) = d loss / d h: grads.Wx, grads.Wh, grads.b += ...
// Consumes the cache (gates become dz). Each step adds its dWh = dz_t h_{t-1}^T while dz_t is in cache.
template <typename T>
void lstm_backward(LstmParams<T>& grads, LstmCache<T>& cache, const Mat<T>& dh, const LstmParams<T>& params,
                   const LstmShape& shape);

// Scoring path: the same LSTM forward in blocks of beats, keeping nothing for backward. Both paths fix the
// order of operations per beat (each pre-activation is b, then + Wx x in feature order, then + Wh h in
// hidden-unit order), so a beat's result does not depend on how many beats share its batch or where it sits.
template <typename T>
void lstm_forward_exact(Mat<T>& h, const Mat<T>& x, const LstmParams<T>& params, const LstmShape& shape,
                        GemmKernel kernel = GemmKernel::automatic);

// Inverted dropout. mask (rows, cols): each entry, drawn column by column from rng, is 0 with probability
// `rate` and 1 / (1 - rate) otherwise (rate 0: all ones, no draws).
template <typename T>
void dropout_mask(Mat<T>& mask, Eigen::Index rows, Eigen::Index cols, double rate, Rng& rng);
// y = x .* mask
template <typename T>
void dropout_forward(Mat<T>& y, const Mat<T>& x, const Mat<T>& mask);
// dx = dy .* mask
template <typename T>
void dropout_backward(Mat<T>& dx, const Mat<T>& dy, const Mat<T>& mask);

// The gate activations as used in float and double (see above); exposed for their tests.
float lstm_tanh(float x);
double lstm_tanh(double x);
float lstm_sigmoid(float x);
double lstm_sigmoid(double x);

// The whole classifier, LSTM -> dropout -> dense -> sigmoid -> BCE, on a flat parameter buffer laid out as above.
template <typename T>
struct LstmClassifierCache {
  LstmCache<T> lstm;
  Mat<T> h, dropped, logits, p, dp, dlogits, ddropped, dh;  // (H, B) or (1, B)
};
// Forward with the dropout mask (H, B) (all ones: none), BCE against labels (1, B) of 0 and 1, backward:
// grads += d loss / d params. Returns the batch's mean loss.
template <typename T>
T lstm_classifier_loss_and_gradients(const LstmShape& shape, const T* params, T* grads, const Mat<T>& x,
                                     const Mat<T>& labels, const Mat<T>& mask, LstmClassifierCache<T>& cache);
// The logit of each beat without dropout, batch-invariant: lstm_forward_exact, then a dot product in hidden-unit
// order. z (B).
template <typename T>
void lstm_classifier_logits(const LstmShape& shape, const T* params, const Mat<T>& x, Eigen::VectorXd& z,
                            Mat<T>& h_scratch);
// The same logits through the sigmoid, in double.
template <typename T>
void lstm_classifier_probabilities(const LstmShape& shape, const T* params, const Mat<T>& x, Eigen::VectorXd& p,
                                   Mat<T>& h_scratch);

// The classifier with its own buffers, for tests and benchmarks (the Model is LstmModel in lstm_model.h).
template <typename T>
struct LstmClassifier {
  LstmShape shape;
  AlignedVector<T> params, grads;  // lstm_parameter_count(shape) each, layout as above
  LstmClassifierCache<T> cache;
  Mat<T> mask, h_scratch;

  explicit LstmClassifier(LstmShape lstm_shape);  // zero parameters and gradients; throws on sizes < 1
  LstmParams<T> parameters() { return lstm_params(shape, params.data()); }
  LstmParams<T> gradients() { return lstm_params(shape, grads.data()); }
  void init_keras(Rng& rng) {
    LstmParams<T> P = parameters();
    lstm_init_keras(P, shape, rng);
  }

  // Draws a dropout mask from rng (rate 0: none), then as lstm_classifier_loss_and_gradients.
  T loss_and_gradients(const Mat<T>& x, const Mat<T>& labels, double dropout_rate, Rng& rng) {
    dropout_mask(mask, shape.hidden, x.cols(), dropout_rate, rng);
    return loss_and_gradients_with_mask(x, labels, mask);
  }
  T loss_and_gradients_with_mask(const Mat<T>& x, const Mat<T>& labels, const Mat<T>& dropout) {
    return lstm_classifier_loss_and_gradients(shape, params.data(), grads.data(), x, labels, dropout, cache);
  }
  Eigen::VectorXd probabilities(const Mat<T>& x) {
    Eigen::VectorXd p;
    lstm_classifier_probabilities(shape, params.data(), x, p, h_scratch);
    return p;
  }
};

extern template struct LstmClassifier<float>;
extern template struct LstmClassifier<double>;

}  // namespace ecgad
