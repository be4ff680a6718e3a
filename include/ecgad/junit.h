// An evaluation as JUnit XML, the test-report format GitLab, Jenkins and GitHub's test reporters display:
// one test suite "ecgad evaluate", a test case per metric (always passing: the value is in its system-out)
// and one per gate (a failed gate is a <failure> naming the metric, its value and the minimum).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ecgad/report.h"

namespace ecgad {

std::string junit_xml(const Evaluation& evaluation, const std::vector<Gate>& gates);

// The pieces every JUnit writer shares (this one and ec57_junit_xml): the XML declaration with the <testsuites>
// and <testsuite> openings, one test case per gate, and the closing tags.
std::string junit_open(const std::string& suite_name, std::size_t tests, const std::vector<Gate>& gates);
void append_junit_gate_cases(std::string& out, const std::string& classname, const std::vector<Gate>& gates);
std::string junit_close(std::string out);

}  // namespace ecgad
