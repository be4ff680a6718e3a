// A toy model kind that exists only in the tests: a linear autoencoder (W -> k -> W, no activations, MAE loss),
// with its own option (--code), preset and score column. tests/model_seam_test.cc registers it beside this
// ecgad's kinds and drives it through the library and through the command line; no line of ecgad knows it.
#pragma once

#include <vector>

#include "ecgad/model_kind.h"

namespace ecgad::test {

const ModelKind& linear_kind();
// This ecgad's kinds and the toy one.
const std::vector<ModelKind>& kinds_with_linear();

}  // namespace ecgad::test
