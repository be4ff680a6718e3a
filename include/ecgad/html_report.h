// An offline, self-contained HTML report with inline SVG plots of a model evaluated on labelled beats.
#pragma once

#include <string>
#include <vector>

#include "ecgad/dataset.h"
#include "ecgad/model_file.h"

namespace ecgad {

// Builds the report; `errors[i]` is the reconstruction error of data row i. Deterministic.
std::string html_report(const TrainedModel& model, const Dataset& data, const std::vector<double>& errors);

// Writes html_report() atomically to `path`.
void write_html_report(const std::string& path, const TrainedModel& model, const Dataset& data,
                       const std::vector<double>& errors);

}  // namespace ecgad
