// EC57 tables for people (text), machines (JSON) and CI (gates, JUnit XML): per record, gross and average.
// What `ecgad evaluate` prints for recordings.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "ecgad/ec57.h"
#include "ecgad/report.h"

namespace ecgad {

// How the comparison was made, for the header of the tables.
struct Ec57Setting {
  double window_seconds = 0.150;
  double learn_seconds = 300;       // the learning period left out at the start of each record
  std::string labels = "verdicts";  // "verdicts" (normal/anomaly) or "classes" (a classifier of AAMI classes)
};

// One record's (or the gross) statistics as JSON: `qrs`, `veb` (with `fpr`), `sveb` and `abnormal` objects with `se`
// and `ppv` (fractions, null when undefined) and their counts; `classes` (per reference class: beats, detected,
// flagged; `extra`: detections matching no reference beat); `matrix` (reference rows N S V F Q O, label columns n s
// v f q flagged unscored missed).
nlohmann::json ec57_stats_json(const Ec57Counts& counts);
// {"window_seconds", "learn_seconds", "labels", "gross": {...}, "average": {...se/ppv...}, "records": [{"record":
// NAME, ...}], "gates": [...]}.
nlohmann::json ec57_json(const std::vector<Ec57Record>& records, const Ec57Setting& setting,
                         const std::vector<Gate>& gates = {});

// A table of the records (QRS, VEB, SVEB Se/+P and VEB FPR, in percent), gross and average lines, then the beats
// of each reference class flagged, gross, and the gates.
std::string ec57_text(const std::vector<Ec57Record>& records, const Ec57Setting& setting,
                      const std::vector<Gate>& gates = {});

// Gates on the gross statistics: metric names qrs-se, qrs-ppv, veb-se, veb-ppv, sveb-se, sveb-ppv, abnormal-se,
// abnormal-ppv (fractions); an undefined value (no V beats for veb-se) fails. Throws ecgad::Error on another name.
std::vector<Gate> check_ec57_gates(const Ec57Counts& gross,
                                   const std::vector<std::pair<std::string, double>>& minimums);
const std::vector<std::string>& ec57_gate_metrics();

// JUnit XML: a test case per record (its VEB and SVEB Se/+P in system-out) and per gate.
std::string ec57_junit_xml(const std::vector<Ec57Record>& records, const std::vector<Gate>& gates,
                           const std::string& suite_name);

}  // namespace ecgad
