// Which values in a label column mean "normal" and "abnormal".
#pragma once

namespace ecgad {

struct LabelSpec {
  double normal = 1.0;
  double abnormal = 0.0;
};

}  // namespace ecgad
