#include "ecgad/edf.h"

#include <edflib.h>

#include "ecgad/error.h"

namespace ecgad {
bool looks_like_edf(const std::string&) { return false; }
EdfInfo read_edf_info(const std::string& path) { throw Error(path + ": EDF not yet"); }
Lead read_edf_lead(const std::string& path, std::size_t, std::optional<double>) { throw Error(path + ": EDF not yet"); }
std::vector<Annotation> read_edf_beat_annotations(const std::string& path, double) { throw Error(path + ": EDF not yet"); }
}  // namespace ecgad
