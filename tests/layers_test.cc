// Every layer and the loss against central finite differences in double precision.
#include "ecgad/layers.h"

#include <gtest/gtest.h>

#include <functional>

namespace ecgad {
namespace {

using MatD = Mat<double>;

// Norm-wise relative error between an analytic and a numeric gradient.
double relative_error(const MatD& analytic, const MatD& numeric) {
  double scale = std::max({analytic.norm(), numeric.norm(), 1e-12});
  return (analytic - numeric).norm() / scale;
}

// d f / d x by central differences, perturbing x in place.
MatD numeric_gradient(const std::function<double()>& f, double* x, Eigen::Index rows, Eigen::Index cols) {
  const double h = 1e-6;
  MatD g(rows, cols);
  for (Eigen::Index i = 0; i < rows * cols; ++i) {
    double saved = x[i];
    x[i] = saved + h;
    double up = f();
    x[i] = saved - h;
    double down = f();
    x[i] = saved;
    g(i % rows, i / rows) = (up - down) / (2 * h);
  }
  return g;
}

// Values in [-1, -0.05] or [0.05, 1]: away from ReLU's kink, so finite differences are meaningful.
MatD away_from_zero(Eigen::Index rows, Eigen::Index cols, unsigned seed) {
  std::srand(seed);
  MatD m = MatD::Random(rows, cols);
  return m.unaryExpr([](double v) { return v >= 0 ? v * 0.95 + 0.05 : v * 0.95 - 0.05; });
}

TEST(Layers, DenseForwardOnHandWorkedNumbers) {
  std::vector<double> w = {1, 3, 2, 4};  // column-major [[1, 2], [3, 4]]
  std::vector<double> b = {1, -1};
  MatMap<double> W(w.data(), 2, 2);
  VecMap<double> bias(b.data(), 2);
  MatD x(2, 2);
  x << 1, 0, 2, -1;
  MatD y;
  dense_forward<double>(y, x, W, bias);
  MatD expected(2, 2);
  expected << 6, -1, 10, -5;
  EXPECT_EQ(y, expected);
}

TEST(Layers, DenseBackwardMatchesFiniteDifferences) {
  const Eigen::Index in = 5, out = 3, batch = 4;
  std::vector<double> w(out * in), b(out), dw(out * in), db(out);
  MatMap<double> W(w.data(), out, in), dW(dw.data(), out, in);
  VecMap<double> bias(b.data(), out), dbias(db.data(), out);
  W = away_from_zero(out, in, 1);
  bias = away_from_zero(out, 1, 2);
  MatD x = away_from_zero(in, batch, 3);
  MatD r = away_from_zero(out, batch, 4);  // L = sum(y .* r), so dL/dy = r
  auto loss = [&] {
    MatD y;
    dense_forward<double>(y, x, W, bias);
    return (y.array() * r.array()).sum();
  };
  MatD dx;
  dense_backward<double>(&dx, dW, dbias, r, x, W);
  EXPECT_LT(relative_error(dW, numeric_gradient(loss, w.data(), out, in)), 1e-6);
  EXPECT_LT(relative_error(dbias, numeric_gradient(loss, b.data(), out, 1)), 1e-6);
  EXPECT_LT(relative_error(dx, numeric_gradient(loss, x.data(), in, batch)), 1e-6);
}

void check_activation(void (*forward)(MatD&, const MatD&), void (*backward)(MatD&, const MatD&, const MatD&)) {
  MatD x = away_from_zero(6, 3, 5);
  MatD r = away_from_zero(6, 3, 6);
  auto loss = [&] {
    MatD y;
    forward(y, x);
    return (y.array() * r.array()).sum();
  };
  MatD y, dx;
  forward(y, x);
  backward(dx, r, y);
  EXPECT_LT(relative_error(dx, numeric_gradient(loss, x.data(), 6, 3)), 1e-6);
}

TEST(Layers, ReluBackwardMatchesFiniteDifferences) { check_activation(relu_forward<double>, relu_backward<double>); }

TEST(Layers, SigmoidBackwardMatchesFiniteDifferences) {
  check_activation(sigmoid_forward<double>, sigmoid_backward<double>);
}

TEST(Layers, ActivationsOnHandWorkedNumbers) {
  MatD x(1, 3);
  x << -2, 0, 3;
  MatD y;
  relu_forward(y, x);
  EXPECT_EQ(y, (MatD(1, 3) << 0, 0, 3).finished());
  sigmoid_forward(y, x);
  EXPECT_NEAR(y(0, 0), 0.11920292202211755, 1e-15);  // 1 / (1 + e^2)
  EXPECT_EQ(y(0, 1), 0.5);
  EXPECT_NEAR(y(0, 2), 0.9525741268224334, 1e-15);  // 1 / (1 + e^-3)
}

TEST(Layers, MaeOnHandWorkedNumbers) {
  MatD prediction(2, 2), target(2, 2);
  prediction << 1, 2, 3, 4;
  target << 0, 2, 5, 4.5;
  // |1| + |0| + |-2| + |-0.5| = 3.5 over 4 elements.
  EXPECT_DOUBLE_EQ(mae_forward(prediction, target), 0.875);
  MatD d;
  mae_backward(d, prediction, target);
  MatD expected(2, 2);
  expected << 0.25, 0,  // sign(0) = 0 where prediction equals target
      -0.25, -0.25;
  EXPECT_EQ(d, expected);
  Eigen::VectorXd per_column = mae_per_column(prediction, target);
  EXPECT_DOUBLE_EQ(per_column(0), 1.5);   // (1 + 2) / 2
  EXPECT_DOUBLE_EQ(per_column(1), 0.25);  // (0 + 0.5) / 2
}

TEST(Layers, MaeBackwardMatchesFiniteDifferences) {
  MatD prediction = away_from_zero(7, 4, 7);
  MatD target = prediction + away_from_zero(7, 4, 8);  // every difference at least 0.05 from zero
  auto loss = [&] { return mae_forward(prediction, target); };
  MatD d;
  mae_backward(d, prediction, target);
  EXPECT_LT(relative_error(d, numeric_gradient(loss, prediction.data(), 7, 4)), 1e-6);
}

TEST(Layers, MseOnHandWorkedNumbers) {
  MatD prediction(2, 2), target(2, 2);
  prediction << 1, 2, 3, 4;
  target << 0, 2, 5, 4.5;
  // 1 + 0 + 4 + 0.25 over 4 elements.
  EXPECT_DOUBLE_EQ(mse_forward(prediction, target), 1.3125);
  MatD d;
  mse_backward(d, prediction, target);
  MatD expected(2, 2);
  expected << 0.5, 0,  // 2 * (p - t) / 4
      -1, -0.25;
  EXPECT_EQ(d, expected);
}

TEST(Layers, MseBackwardMatchesFiniteDifferences) {
  MatD prediction = away_from_zero(7, 4, 10);
  MatD target = away_from_zero(7, 4, 11);
  auto loss = [&] { return mse_forward(prediction, target); };
  MatD d;
  mse_backward(d, prediction, target);
  EXPECT_LT(relative_error(d, numeric_gradient(loss, prediction.data(), 7, 4)), 1e-6);
}

TEST(Layers, FloatAndDoubleAgree) {
  MatD x = away_from_zero(4, 3, 9);
  Mat<float> xf = x.cast<float>();
  Mat<float> yf;
  MatD y;
  sigmoid_forward(yf, xf);
  sigmoid_forward(y, x);
  EXPECT_LT((yf.cast<double>() - y).cwiseAbs().maxCoeff(), 1e-6);
}

}  // namespace
}  // namespace ecgad
