#include "ecgad/lstm.h"

#include <Eigen/QR>  // IWYU pragma: keep (HouseholderQR; the mapping sends Eigen/src/* to Core)
#include <algorithm>
#include <cmath>
#include <utility>

#include "ecgad/error.h"
#include "ecgad/exact_gemm.h"

// GCC's "no dependence between iterations"; clang (the sanitizer build) has no such pragma and vectorises anyway.
#if defined(__clang__)
#define ECGAD_IVDEP
#else
#define ECGAD_IVDEP _Pragma("GCC ivdep")
#endif

namespace ecgad {

using Index = Eigen::Index;

std::size_t lstm_parameter_count(const LstmShape& shape) {
  const std::size_t F = shape.features, H = shape.hidden;
  return 4 * H * (F + H + 1) + H + 1;
}

template <typename T>
LstmParams<T> lstm_params(const LstmShape& shape, T* buffer) {
  const Index F = shape.features, H = shape.hidden;
  T* wx = buffer;
  T* wh = wx + 4 * H * F;
  T* b = wh + 4 * H * H;
  T* w_out = b + 4 * H;
  T* b_out = w_out + H;
  return LstmParams<T>{MatMap<T>(wx, 4 * H, F), MatMap<T>(wh, 4 * H, H), VecMap<T>(b, 4 * H), MatMap<T>(w_out, 1, H),
                       VecMap<T>(b_out, 1)};
}

// ---------------------------------------------------------------------------------------------------
// Initialization

Mat<double> keras_orthogonal(Index rows, Index cols, Rng& rng) {
  const Index tall = std::max(rows, cols), wide = std::min(rows, cols);
  Mat<double> a(tall, wide);
  for (Index r = 0; r < tall; ++r) {  // row by row, as numpy and TensorFlow fill a (tall, wide) array
    for (Index c = 0; c < wide; ++c) a(r, c) = rng.gaussian();
  }
  Eigen::HouseholderQR<Mat<double>> qr(a);
  Mat<double> q = qr.householderQ() * Mat<double>::Identity(tall, wide);
  const Mat<double>& r = qr.matrixQR();
  for (Index c = 0; c < wide; ++c) {
    if (r(c, c) < 0) q.col(c) = -q.col(c);  // sign(0) = 0 in Keras; a zero diagonal has probability 0
  }
  if (rows < cols) return q.transpose();
  return q;
}

template <typename T>
static void glorot_uniform(MatMap<T>& W, double fan_in, double fan_out, Rng& rng) {
  const double limit = std::sqrt(6.0 / (fan_in + fan_out));
  for (Index i = 0; i < W.size(); ++i) W.data()[i] = static_cast<T>((2.0 * rng.uniform01() - 1.0) * limit);
}

template <typename T>
void lstm_init_keras(LstmParams<T>& params, const LstmShape& shape, Rng& rng) {
  const Index H = shape.hidden;
  // Keras' kernel (F, 4H) read in its row-major storage order is our (4H, F) in column-major order.
  glorot_uniform(params.Wx, shape.features, 4.0 * static_cast<double>(H), rng);
  // recurrent_kernel (H, 4H) = q^T for the (4H, H) q of the initializer; we store its transpose: q itself.
  params.Wh = keras_orthogonal(H, 4 * H, rng).transpose().cast<T>();
  params.b.setZero();
  params.b.segment(H, H).setOnes();
  glorot_uniform(params.w_out, static_cast<double>(H), 1.0, rng);
  params.b_out.setZero();
}

// ---------------------------------------------------------------------------------------------------
// Gate activations

// Eigen's generic_fast_tanh_float written as one scalar formula: a 13/6 rational approximation on
// [-7.9053, 7.9053] (the clamp Eigen uses without FMA; it keeps |tanh| <= 1 with or without FMA), and x
// itself below 4e-4. GCC vectorizes loops over it, and the vector body and the scalar tail round alike.
[[gnu::always_inline]] static inline float fast_tanh(float x) {
  const float clamp = 7.90531110763549805f;
  const float xc = std::min(std::max(x, -clamp), clamp);
  const float x2 = xc * xc;
  float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
  p = x2 * p + -8.60467152213735e-11f;
  p = x2 * p + 5.12229709037114e-08f;
  p = x2 * p + 1.48572235717979e-05f;
  p = x2 * p + 6.37261928875436e-04f;
  p = x2 * p + 4.89352455891786e-03f;
  p = xc * p;
  float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
  q = x2 * q + 2.26843463243900e-03f;
  q = x2 * q + 4.89352518554385e-03f;
  const float ratio = p / q;  // unconditional: a conditional division may trap, and GCC would not vectorize
  return std::abs(x) < 0.0004f ? x : ratio;
}

// sigmoid(x) = (1 + tanh(x / 2)) / 2: no exp, and symmetric.
[[gnu::always_inline]] static inline float gate_tanh(float x) { return fast_tanh(x); }
static inline double gate_tanh(double x) { return std::tanh(x); }
[[gnu::always_inline]] static inline float gate_sigmoid(float x) { return 0.5f + 0.5f * fast_tanh(0.5f * x); }
static inline double gate_sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

float lstm_tanh(float x) { return gate_tanh(x); }
double lstm_tanh(double x) { return gate_tanh(x); }
float lstm_sigmoid(float x) { return gate_sigmoid(x); }
double lstm_sigmoid(double x) { return gate_sigmoid(x); }

// ---------------------------------------------------------------------------------------------------
// One step of one beat, elementwise: the same code for training and scoring.

// z (4H): pre-activations in, activated gates i, f, g, o out. c_prev, c, tanh_c, h (H).
template <typename T>
[[gnu::always_inline]] static inline void cell_forward(T* __restrict z, const T* __restrict c_prev, T* __restrict c,
                                                       T* __restrict tanh_c, T* __restrict h, Index H) {
  T* __restrict zi = z;
  T* __restrict zf = z + H;
  T* __restrict zg = z + 2 * H;
  T* __restrict zo = z + 3 * H;
  // The blocks never overlap; without this GCC checks at run time, and its check failed: scalar code.
  ECGAD_IVDEP
  for (Index k = 0; k < H; ++k) {
    const T i = gate_sigmoid(zi[k]), f = gate_sigmoid(zf[k]), g = gate_tanh(zg[k]), o = gate_sigmoid(zo[k]);
    const T ck = f * c_prev[k] + i * g;
    const T tk = gate_tanh(ck);
    zi[k] = i;
    zf[k] = f;
    zg[k] = g;
    zo[k] = o;
    c[k] = ck;
    tanh_c[k] = tk;
    h[k] = o * tk;
  }
}

// z (4H): activated gates in, d loss / d pre-activations out. dh (H) = d loss / d h_t; dc (H): in, the
// gradient reaching c_t from step t+1; out, the gradient reaching c_{t-1}.
template <typename T>
[[gnu::always_inline]] static inline void cell_backward(T* __restrict z, const T* __restrict c_prev,
                                                        const T* __restrict tanh_c, const T* __restrict dh,
                                                        T* __restrict dc, Index H) {
  T* __restrict zi = z;
  T* __restrict zf = z + H;
  T* __restrict zg = z + 2 * H;
  T* __restrict zo = z + 3 * H;
  ECGAD_IVDEP
  for (Index k = 0; k < H; ++k) {
    const T i = zi[k], f = zf[k], g = zg[k], o = zo[k], tk = tanh_c[k];
    const T dck = dc[k] + dh[k] * o * (T(1) - tk * tk);
    const T dok = dh[k] * tk;
    zi[k] = dck * g * i * (T(1) - i);
    zf[k] = dck * c_prev[k] * f * (T(1) - f);
    zg[k] = dck * i * (T(1) - g * g);
    zo[k] = dok * o * (T(1) - o);
    dc[k] = dck * f;
  }
}

// One step of n beats: column j of each block belongs to beat j (z has 4H rows, the others H). On a CPU with
// AVX-512 the same loops compile to its wider vectors (AVX-512F only, the extension the dispatch checks); each
// value is computed by the same operations either way (no reassociation, and no fused multiply-add: the library
// is built with -ffp-contract=off), so the bits do not change.
template <typename T>
[[gnu::always_inline]] static inline void cells_forward_body(T* z, const T* c_prev, T* c, T* tanh_c, T* h, Index H,
                                                             Index n) {
  for (Index j = 0; j < n; ++j) cell_forward(z + j * 4 * H, c_prev + j * H, c + j * H, tanh_c + j * H, h + j * H, H);
}

template <typename T>
[[gnu::always_inline]] static inline void cells_backward_body(T* z, const T* c_prev, const T* tanh_c, const T* dh,
                                                              T* dc, Index H, Index n) {
  for (Index j = 0; j < n; ++j) cell_backward(z + j * 4 * H, c_prev + j * H, tanh_c + j * H, dh + j * H, dc + j * H, H);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx512f,avx2,fma"))) static void cells_forward_avx512(float* z, const float* c_prev, float* c,
                                                                             float* tanh_c, float* h, Index H,
                                                                             Index n) {
  cells_forward_body(z, c_prev, c, tanh_c, h, H, n);
}
__attribute__((target("avx512f,avx2,fma"))) static void cells_backward_avx512(float* z, const float* c_prev,
                                                                              const float* tanh_c, const float* dh,
                                                                              float* dc, Index H, Index n) {
  cells_backward_body(z, c_prev, tanh_c, dh, dc, H, n);
}
#define ECGAD_LSTM_AVX512 1
#endif

// The gate loops follow the matrix kernels' choice (src/exact_gemm.cc): AVX-512 code where they run AVX-512.
template <typename T>
static void cells_forward(T* z, const T* c_prev, T* c, T* tanh_c, T* h, Index H, Index n, GemmKernel kernel) {
#ifdef ECGAD_LSTM_AVX512
  if constexpr (std::is_same_v<T, float>) {
    if (gemm_kernel_to_run(kernel) == GemmKernel::avx512) return cells_forward_avx512(z, c_prev, c, tanh_c, h, H, n);
  }
#endif
  cells_forward_body(z, c_prev, c, tanh_c, h, H, n);
}

template <typename T>
static void cells_backward(T* z, const T* c_prev, const T* tanh_c, const T* dh, T* dc, Index H, Index n,
                           GemmKernel kernel) {
#ifdef ECGAD_LSTM_AVX512
  if constexpr (std::is_same_v<T, float>) {
    if (gemm_kernel_to_run(kernel) == GemmKernel::avx512) return cells_backward_avx512(z, c_prev, tanh_c, dh, dc, H, n);
  }
#endif
  cells_backward_body(z, c_prev, tanh_c, dh, dc, H, n);
}

// ---------------------------------------------------------------------------------------------------
// The LSTM layer over a whole sequence

// z (4H) = b + Wx x_t for one beat, x_t its F inputs at this step: the bias, then each feature in order.
template <typename T>
static void input_projection(T* __restrict z, const LstmParams<T>& params, const T* __restrict xt, Index F, Index H) {
  const T* __restrict bias = params.b.data();
  const T* __restrict w0 = params.Wx.data();
  const T x0 = xt[0];  // F >= 1; the first feature in the same pass as the bias
  for (Index o = 0; o < 4 * H; ++o) z[o] = bias[o] + w0[o] * x0;
  for (Index f = 1; f < F; ++f) {
    const T* __restrict w = params.Wx.data() + f * 4 * H;
    const T xf = xt[f];
    for (Index o = 0; o < 4 * H; ++o) z[o] += w[o] * xf;
  }
}

template <typename T>
static void check_input(const Mat<T>& x, const LstmShape& shape) {
  if (x.rows() != static_cast<Index>(shape.features) * shape.steps) {
    throw Error("LSTM input has " + std::to_string(x.rows()) + " values per beat, expected " +
                std::to_string(shape.features * shape.steps) + " (" + std::to_string(shape.steps) + " steps of " +
                std::to_string(shape.features) + ")");
  }
}

// Grows a buffer to at least `cols` columns and never shrinks it: an epoch's last, smaller batch would otherwise
// free ~100 MB of activations and the next epoch's first batch fault it all back in, page by page.
template <typename T>
static void reserve_columns(Mat<T>& m, Index rows, Index cols) {
  if (m.rows() != rows || m.cols() < cols) m.resize(rows, cols);
}

template <typename T>
void lstm_forward(Mat<T>& h, LstmCache<T>& cache, const Mat<T>& x, const LstmParams<T>& params,
                  const LstmShape& shape) {
  check_input(x, shape);
  const Index F = shape.features, steps = shape.steps, H = shape.hidden, B = x.cols();
  reserve_columns(cache.inputs, F, steps * B);
  for (Index t = 0; t < steps; ++t) {
    for (Index j = 0; j < B; ++j) {
      for (Index f = 0; f < F; ++f) cache.inputs(f, t * B + j) = x(t * F + f, j);
    }
  }
  // The input projection of every step at once; each step then adds its recurrent product in place.
  reserve_columns(cache.gates, 4 * H, steps * B);
  reserve_columns(cache.cells, H, (steps + 1) * B);
  reserve_columns(cache.hidden, H, (steps + 1) * B);
  reserve_columns(cache.tanh_cells, H, steps * B);
  cache.cells.leftCols(B).setZero();
  cache.hidden.leftCols(B).setZero();
  for (Index t = 0; t < steps; ++t) {
    // The input projection b + Wx x_t, step by step: written just before the recurrent product adds to it, the
    // block stays in cache (one product over all steps at once wrote the whole (4H, T*B) buffer to memory first,
    // and for F = 1 it is an outer product anyway, with nothing for a matrix product to batch).
    for (Index j = 0; j < B; ++j) input_projection(&cache.gates(0, t * B + j), params, &x(t * F, j), F, H);
    if (t > 0) {
      exact_gemm(&cache.gates(0, t * B), params.Wh.data(), &cache.hidden(0, t * B), 4 * H, H, B, cache.kernel);
    }
    cells_forward(&cache.gates(0, t * B), &cache.cells(0, t * B), &cache.cells(0, (t + 1) * B),
                  &cache.tanh_cells(0, t * B), &cache.hidden(0, (t + 1) * B), H, B, cache.kernel);
  }
  h = cache.hidden.middleCols(steps * B, B);
}

template <typename T>
void lstm_backward(LstmParams<T>& grads, LstmCache<T>& cache, const Mat<T>& dh, const LstmParams<T>& params,
                   const LstmShape& shape) {
  const Index steps = shape.steps, H = shape.hidden, B = dh.cols();
  cache.dh = dh;
  cache.dc.setZero(H, B);
  cache.recurrent_t = params.Wh.transpose();  // dh_{t-1} = Wh^T dz_t is then a product of the same form
  for (Index t = steps - 1; t >= 0; --t) {
    cells_backward(&cache.gates(0, t * B), &cache.cells(0, t * B), &cache.tanh_cells(0, t * B), cache.dh.data(),
                   cache.dc.data(), H, B, cache.kernel);
    const auto dz = cache.gates.middleCols(t * B, B);
    if (t > 0) {
      cache.dh.setZero();
      exact_gemm(cache.dh.data(), cache.recurrent_t.data(), &cache.gates(0, t * B), H, 4 * H, B, cache.kernel);
    }
    // The thin gradients while dz_t is in cache (a pass over all of dz later would read it from memory).
    exact_gemm_abt(grads.Wx.data(), &cache.gates(0, t * B), &cache.inputs(0, t * B), 4 * H, shape.features, B,
                   cache.kernel);
    for (Index j = 0; j < B; ++j) grads.b += dz.col(j);
    if (t > 0) {
      exact_gemm_abt(grads.Wh.data(), &cache.gates(0, t * B), &cache.hidden(0, t * B), 4 * H, H, B, cache.kernel);
    }
  }
}

template <typename T>
void lstm_forward_exact(Mat<T>& h, const Mat<T>& x, const LstmParams<T>& params, const LstmShape& shape,
                        GemmKernel kernel) {
  check_input(x, shape);
  const Index F = shape.features, steps = shape.steps, H = shape.hidden, B = x.cols();
  h.resize(H, B);
  // Blocks of beats small enough for the state to stay in cache; the block size changes nothing per beat.
  constexpr Index block = 64;
  Mat<T> z(4 * H, block), c(H, block), c_next(H, block), tanh_c(H, block), hidden(H, block), h_next(H, block);
  for (Index j0 = 0; j0 < B; j0 += block) {
    const Index n = std::min(block, B - j0);
    c.setZero();
    hidden.setZero();
    for (Index t = 0; t < steps; ++t) {
      for (Index j = 0; j < n; ++j) input_projection(&z(0, j), params, &x(t * F, j0 + j), F, H);
      if (t > 0) exact_gemm(z.data(), params.Wh.data(), hidden.data(), 4 * H, H, n, kernel);
      cells_forward(z.data(), c.data(), c_next.data(), tanh_c.data(), h_next.data(), H, n, kernel);
      std::swap(c, c_next);
      std::swap(hidden, h_next);
    }
    h.middleCols(j0, n) = hidden.leftCols(n);
  }
}

// ---------------------------------------------------------------------------------------------------
// Dropout

template <typename T>
void dropout_mask(Mat<T>& mask, Index rows, Index cols, double rate, Rng& rng) {
  if (!(rate >= 0 && rate < 1)) throw Error("dropout rate must be in [0, 1), got " + std::to_string(rate));
  mask.resize(rows, cols);
  if (rate == 0) {
    mask.setOnes();
    return;
  }
  const T keep = static_cast<T>(1.0 / (1.0 - rate));
  for (Index i = 0; i < mask.size(); ++i) mask.data()[i] = rng.uniform01() < rate ? T(0) : keep;
}

template <typename T>
void dropout_forward(Mat<T>& y, const Mat<T>& x, const Mat<T>& mask) {
  y = x.cwiseProduct(mask);
}

template <typename T>
void dropout_backward(Mat<T>& dx, const Mat<T>& dy, const Mat<T>& mask) {
  dx = dy.cwiseProduct(mask);
}

// ---------------------------------------------------------------------------------------------------
// The classifier

template <typename T>
LstmClassifier<T>::LstmClassifier(LstmShape lstm_shape)
    : shape(lstm_shape), params(lstm_parameter_count(lstm_shape), T(0)), grads(params.size(), T(0)) {
  if (shape.features < 1 || shape.steps < 1 || shape.hidden < 1) {
    throw Error("LSTM sizes must be positive (features " + std::to_string(shape.features) + ", steps " +
                std::to_string(shape.steps) + ", hidden " + std::to_string(shape.hidden) + ")");
  }
}

template <typename T>
T lstm_classifier_loss_and_gradients(const LstmShape& shape, const T* params, T* grads, const Mat<T>& x,
                                     const Mat<T>& labels, const Mat<T>& mask, LstmClassifierCache<T>& c) {
  // The maps of params are only read.
  LstmParams<T> P = lstm_params(shape, const_cast<T*>(params)), G = lstm_params(shape, grads);
  lstm_forward(c.h, c.lstm, x, P, shape);
  dropout_forward(c.dropped, c.h, mask);
  dense_forward<T>(c.logits, c.dropped, P.w_out, P.b_out);
  const T value = bce_logits_forward(c.logits, labels);
  bce_logits_backward(c.dlogits, c.logits, labels);
  dense_backward<T>(&c.ddropped, G.w_out, G.b_out, c.dlogits, c.dropped, P.w_out);
  dropout_backward(c.dh, c.ddropped, mask);
  lstm_backward(G, c.lstm, c.dh, P, shape);
  return value;
}

template <typename T>
void lstm_classifier_logits(const LstmShape& shape, const T* params, const Mat<T>& x, Eigen::VectorXd& z, Mat<T>& h) {
  LstmParams<T> P = lstm_params(shape, const_cast<T*>(params));  // only read
  lstm_forward_exact(h, x, P, shape);
  z.resize(x.cols());
  for (Index j = 0; j < x.cols(); ++j) {
    T logit = P.b_out(0);
    for (Index k = 0; k < shape.hidden; ++k) logit += P.w_out(0, k) * h(k, j);
    z(j) = static_cast<double>(logit);
  }
}

template <typename T>
void lstm_classifier_probabilities(const LstmShape& shape, const T* params, const Mat<T>& x, Eigen::VectorXd& p,
                                   Mat<T>& h) {
  lstm_classifier_logits(shape, params, x, p, h);
  for (Index j = 0; j < p.size(); ++j) p(j) = 1.0 / (1.0 + std::exp(-p(j)));
}

// T* cannot be parenthesized in a declaration.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ECGAD_INSTANTIATE_LSTM(T)                                                                                  \
  template LstmParams<T> lstm_params<T>(const LstmShape&, T*);                                                     \
  template void lstm_init_keras<T>(LstmParams<T>&, const LstmShape&, Rng&);                                        \
  template void lstm_forward<T>(Mat<T>&, LstmCache<T>&, const Mat<T>&, const LstmParams<T>&, const LstmShape&);    \
  template void lstm_backward<T>(LstmParams<T>&, LstmCache<T>&, const Mat<T>&, const LstmParams<T>&,               \
                                 const LstmShape&);                                                                \
  template void lstm_forward_exact<T>(Mat<T>&, const Mat<T>&, const LstmParams<T>&, const LstmShape&, GemmKernel); \
  template void dropout_mask<T>(Mat<T>&, Index, Index, double, Rng&);                                              \
  template void dropout_forward<T>(Mat<T>&, const Mat<T>&, const Mat<T>&);                                         \
  template void dropout_backward<T>(Mat<T>&, const Mat<T>&, const Mat<T>&);                                        \
  template T lstm_classifier_loss_and_gradients<T>(const LstmShape&, const T*, T*, const Mat<T>&, const Mat<T>&,   \
                                                   const Mat<T>&, LstmClassifierCache<T>&);                        \
  template void lstm_classifier_logits<T>(const LstmShape&, const T*, const Mat<T>&, Eigen::VectorXd&, Mat<T>&);   \
  template void lstm_classifier_probabilities<T>(const LstmShape&, const T*, const Mat<T>&, Eigen::VectorXd&,      \
                                                 Mat<T>&);                                                         \
  template struct LstmClassifier<T>;
// NOLINTEND(bugprone-macro-parentheses)

ECGAD_INSTANTIATE_LSTM(float)
ECGAD_INSTANTIATE_LSTM(double)

}  // namespace ecgad
