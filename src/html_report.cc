// Placeholder until the HTML report lands (issue 6): refuses clearly instead of writing an empty file.
#include "ecgad/html_report.h"

#include "ecgad/error.h"

namespace ecgad {

std::string html_report(TrainedModel&, const Dataset&, const std::vector<double>&) {
  throw Error("the HTML report is not available in this build yet");
}

void write_html_report(const std::string& path, TrainedModel& model, const Dataset& data,
                       const std::vector<double>& errors) {
  html_report(model, data, errors);
  (void)path;
}

}  // namespace ecgad
