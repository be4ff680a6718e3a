#include "ecgad/html_report.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "ecgad/detector.h"
#include "ecgad/error.h"
#include "ecgad/random.h"
#include "test_util.h"

namespace ecgad {
namespace {

// A labelled toy set: normal beats are one smooth bump, abnormal beats an inverted bump, each with a little
// noise. Every fifth beat is abnormal, but rows 2 and 6 carry each other's label, so that a threshold between
// the shapes misclassifies one beat of each class. Deterministic.
Dataset toy_data(std::size_t rows, std::size_t width, const std::string& name = "toy.csv") {
  Dataset data;
  data.name = name;
  data.width = width;
  Rng rng(11);
  for (std::size_t r = 0; r < rows; ++r) {
    bool normal = r % 5 != 0;
    bool label = r == 1 || r == 5 ? !normal : normal;
    for (std::size_t s = 0; s < width; ++s) {
      double t = static_cast<double>(s) / static_cast<double>(width);
      double bump = std::sin(3.14159 * t) * (normal ? 1.0 : -0.8);
      data.values.push_back(bump + 0.3 * (rng.uniform01() - 0.5));
    }
    data.normal.push_back(label ? 1 : 0);
    data.lines.push_back(r + 2);  // as if below a header line
  }
  return data;
}

std::vector<double> errors_of(const TrainedModel& model, const Dataset& data) {
  std::unique_ptr<Workspace> workspace = model.model->new_workspace();
  Eigen::VectorXd e = anomaly_scores(model, data, *workspace);
  return std::vector<double>(e.data(), e.data() + e.size());
}

// An untrained autoencoder (Glorot weights) with a hand-made training record. Its threshold splits off the
// highest fifth of the errors, where the untrained network puts the inverted beats of toy_data.
TrainedModel toy_model(const Dataset& data, const std::vector<int>& encoder = {4}) {
  std::unique_ptr<Model> net = make_model("autoencoder", {{"input_width", data.width}, {"encoder", encoder}});
  Rng rng(3);
  net->init(rng);
  MinMaxScaler scaler = MinMaxScaler::fit(data.values.data(), data.rows(), data.width, false);
  nlohmann::json history = nlohmann::json::array();
  for (int epoch = 1; epoch <= 5; ++epoch) {
    nlohmann::json entry = {{"epoch", epoch}, {"loss", 0.1 / epoch}};
    entry["val_loss"] = epoch == 3 ? nlohmann::json(nullptr) : nlohmann::json(0.12 / epoch);
    history.push_back(entry);
  }
  nlohmann::json training = {
      {"preset", "tutorial"},
      {"encoder", encoder},
      {"epochs", 5},
      {"batch_size", 512},
      {"optimizer", {{"name", "adam"}, {"learning_rate", 0.001}}},
      {"seed", 42},
      {"data", {{"name", data.name}, {"rows", data.rows()}, {"width", data.width}, {"sha256", std::string(64, 'a')}}},
      {"history", history}};
  ThresholdChoice threshold{0, "mean-std:1", {{"from", "normal training rows"}, {"file", data.name}}};
  TrainedModel model{std::move(net), scaler, LabelSpec{1, 0}, threshold, training, {}};
  std::vector<double> sorted = errors_of(model, data);
  std::sort(sorted.begin(), sorted.end());
  std::size_t cut = sorted.size() - sorted.size() / 5;
  model.threshold.value = (sorted[cut - 1] + sorted[cut]) / 2;
  return model;
}

std::string report_of(const Dataset& data) {
  TrainedModel model = toy_model(data);
  return html_report(model, data, errors_of(model, data));
}

using test::entries;
using test::slurp;
using test::temp_dir;
using test::write_file;

// Every report a test makes is checked where xmllint is installed (under CI=true it must be).
void expect_well_formed(const std::string& html, const std::string& tag) { ECGAD_EXPECT_WELL_FORMED(html, tag); }

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(HtmlReport, IsWellFormedXhtml) {
  std::string html = report_of(toy_data(40, 8));
  ECGAD_EXPECT_WELL_FORMED(html, "toy");
}

TEST(HtmlReport, HoldsEverySection) {
  std::string html = report_of(toy_data(40, 8));
  for (const char* id : {"summary", "model", "loss", "beats", "errors", "roc", "pr", "confusion", "metrics"}) {
    EXPECT_NE(html.find(std::string("<section id=\"") + id + "\">"), std::string::npos) << id;
  }
  EXPECT_NE(html.find("ROC curve (AUC "), std::string::npos);
  EXPECT_NE(html.find("Precision&#8211;recall curve, anomaly positive (AP "), std::string::npos);
  EXPECT_NE(html.find("normal positive (tutorial)"), std::string::npos);
  EXPECT_NE(html.find("mean-std:1"), std::string::npos);
  EXPECT_NE(html.find(std::string(64, 'a')), std::string::npos);  // the training data's sha256
  EXPECT_NE(html.find("validation loss"), std::string::npos);
  // Plots: loss, histogram, ROC, PR and one per chosen beat.
  EXPECT_GE(occurrences(html, "<svg "), 4u + 2u);
  // The chosen beats say why they were chosen; with the median as threshold both mistakes occur.
  EXPECT_NE(html.find("typical normal beat (median error)"), std::string::npos);
  EXPECT_NE(html.find("typical abnormal beat (median error)"), std::string::npos);
  EXPECT_NE(html.find("nearest the threshold"), std::string::npos);
  EXPECT_NE(html.find("misclassified: the normal beat with the highest error"), std::string::npos);
  EXPECT_NE(html.find("misclassified: the abnormal beat with the lowest error"), std::string::npos);
  EXPECT_LE(occurrences(html, "<figure>"), 6u);
  EXPECT_NE(html.find(" (line "), std::string::npos);  // rows are not lines when the file has a header
  // Every link of the navigation leads to a section of the page.
  for (std::size_t at = html.find("href=\"#"); at != std::string::npos; at = html.find("href=\"#", at + 1)) {
    std::string id = html.substr(at + 7, html.find('"', at + 7) - at - 7);
    EXPECT_NE(html.find("<section id=\"" + id + "\">"), std::string::npos) << id;
  }
}

TEST(HtmlReport, OpensOffline) {
  std::string html = report_of(toy_data(40, 8));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  // The only http:// are the XHTML and SVG namespace names, which are never fetched.
  std::string rest = std::regex_replace(html, std::regex("xmlns=\"http://www\\.w3\\.org/[0-9]+/(xhtml|svg)\""), "");
  EXPECT_EQ(rest.find("http"), std::string::npos);
}

TEST(HtmlReport, IsDeterministic) {
  Dataset data = toy_data(40, 8);
  EXPECT_EQ(report_of(data), report_of(data));
  TrainedModel model = toy_model(data);
  std::vector<double> errors = errors_of(model, data);
  std::string first = html_report(model, data, errors);
  EXPECT_EQ(html_report(model, data, errors), first);  // the forward pass leaves nothing behind
}

TEST(HtmlReport, EscapesNamesFromUserData) {
  Dataset data = toy_data(40, 8, "a<b>&\"c'.csv");
  std::string html = report_of(data);
  EXPECT_EQ(html.find("a<b>"), std::string::npos);
  EXPECT_EQ(html.find("&\"c"), std::string::npos);
  EXPECT_NE(html.find("a&lt;b&gt;&amp;&quot;c&#39;.csv"), std::string::npos);
  expect_well_formed(html, "markup_name");

  // Bytes that are not UTF-8, and control characters XML forbids, become U+FFFD instead of breaking the file.
  Dataset odd = toy_data(40, 8, "bad\xff\xfe\x01name\xe2\x82.csv");
  std::string odd_html = report_of(odd);
  EXPECT_NE(odd_html.find("bad\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDname"), std::string::npos);
  expect_well_formed(odd_html, "odd_name");
}

TEST(HtmlReport, StaysSmallOnTheFullDataSetSize) {
  Dataset data = toy_data(5000, 140, "big.csv");
  TrainedModel model = toy_model(data, {16, 8});
  std::string html = html_report(model, data, errors_of(model, data));
  EXPECT_LT(html.size(), 2u * 1000 * 1000);
  // The ROC and PR curves are thinned to at most 500 points each.
  std::smatch m;
  std::string rest = html;
  int curves = 0;
  while (std::regex_search(rest, m, std::regex("([0-9]+) points drawn"))) {
    EXPECT_LE(std::stoul(m[1]), 500u);
    ++curves;
    rest = m.suffix();
  }
  EXPECT_EQ(curves, 2);
  expect_well_formed(html, "big");
}

TEST(HtmlReport, OneClassOnlyStillRenders) {
  Dataset data = toy_data(40, 8);
  for (auto& label : data.normal) label = 1;
  std::string html = report_of(data);
  EXPECT_NE(html.find("Not defined: the data holds only one class."), std::string::npos);
  expect_well_formed(html, "one_class");
}

TEST(HtmlReport, RefusesUnlabelledOrMismatchedInput) {
  Dataset data = toy_data(40, 8);
  TrainedModel model = toy_model(data);
  std::vector<double> errors = errors_of(model, data);
  std::vector<double> short_errors(errors.begin(), errors.end() - 1);
  EXPECT_THROW(html_report(model, data, short_errors), Error);
  Dataset unlabelled = data;
  unlabelled.normal.clear();
  EXPECT_THROW(html_report(model, unlabelled, errors), Error);
  Dataset wider = toy_data(40, 9);
  EXPECT_THROW(html_report(model, wider, errors_of(model, data)), Error);
}

TEST(HtmlReport, WritesAtomicallyAndFailsCleanly) {
  Dataset data = toy_data(40, 8);
  TrainedModel model = toy_model(data);
  std::vector<double> errors = errors_of(model, data);

  std::string good = temp_dir() + "/report.html";
  write_html_report(good, model, data, errors);
  EXPECT_EQ(slurp(good), html_report(model, data, errors));

  EXPECT_THROW(write_html_report(temp_dir() + "/missing/report.html", model, data, errors), Error);
}

TEST(HtmlReport, ReadOnlyFolderThrowsAndLeavesNoFile) {
  Dataset data = toy_data(40, 8);
  TrainedModel model = toy_model(data);
  std::vector<double> errors = errors_of(model, data);
  std::string locked = temp_dir() + "/locked";
  ASSERT_EQ(::mkdir(locked.c_str(), 0500), 0);
  if (::access(locked.c_str(), W_OK) == 0) {
    // Root writes into a 0500 folder; /proc refuses new files even to root.
    ::chmod(locked.c_str(), 0700);
    if (::access("/proc/self", F_OK) != 0)
      ECGAD_SKIP_OR_FAIL("running as root without /proc: no unwritable folder to try");
    EXPECT_THROW(write_html_report("/proc/ecgad_report.html", model, data, errors), Error);
    EXPECT_NE(::access("/proc/ecgad_report.html", F_OK), 0);
    return;
  }
  EXPECT_THROW(write_html_report(locked + "/report.html", model, data, errors), Error);
  EXPECT_TRUE(entries(locked).empty());
  ::chmod(locked.c_str(), 0700);
}

}  // namespace
}  // namespace ecgad
