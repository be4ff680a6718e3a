// An evaluation as JUnit XML, the test-report format GitLab, Jenkins and GitHub's test reporters display:
// one test suite "ecgad evaluate", a test case per metric (always passing: the value is in its system-out)
// and one per gate (a failed gate is a <failure> naming the metric, its value and the minimum).
#pragma once

#include <string>
#include <vector>

#include "ecgad/report.h"

namespace ecgad {

std::string junit_xml(const Evaluation& evaluation, const std::vector<Gate>& gates);

}  // namespace ecgad
