// Progress lines for people, after ninja's and fastText's status lines: how far, how fast, how long still.
// Pure text from given numbers; whether and where a line is shown is the caller's business.
#pragma once

#include <string>

#include "ecgad/train.h"

namespace ecgad {

// A duration rounded to the second: "m:ss", or "h:mm:ss" from an hour on; "?" when not known (negative,
// infinite or NaN).
std::string duration_text(double seconds);

// "COUNT/SECONDS UNIT/s" rounded to a whole number ("942 beats/s"); "? UNIT/s" before any time has passed.
std::string rate_text(double count, double seconds, const std::string& unit);

// "epoch 3/20  45%  942 beats/s  ETA 1:14  loss 0.03412": the percentage of this epoch, the rate over all
// epochs so far, the time left at that rate until the last epoch ends, and this epoch's mean loss so far.
std::string training_progress_line(const BatchProgress& progress);

}  // namespace ecgad
