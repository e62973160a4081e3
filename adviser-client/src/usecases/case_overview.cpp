#include "usecases/case_overview.hpp"

namespace meldpunt::adviser::usecase {

Result<CaseOverview> case_overview(const CaseStore& store, const CaseFilter& filter, std::uint64_t now) {
  auto cases = store.list_cases();
  if (!cases) return cases.error();
  auto settings = store.settings();
  if (!settings) return settings.error();
  auto labels = store.labels();
  if (!labels) return labels.error();
  CaseOverview overview;
  overview.settings = *settings;
  overview.all = cases->size();
  std::vector<CaseRecord> kept = filter_cases(std::move(cases).value(), filter, *settings, now);
  sort_by_due(kept, *settings, now);
  overview.cases.reserve(kept.size());
  for (CaseRecord& record : kept) {
    CaseGlance glance;
    if (auto label = labels->find(record.key); label != labels->end()) glance.label = std::move(label->second);
    auto first = store.first_message(record.key);
    if (!first) return first.error();
    if (*first) {
      glance.has_message = true;
      glance.first_line = crypto::SecretBuffer::copy_of(first_text_line((*first)->body.view()));
      if (glance.first_line.empty()) {
        auto files = store.attachments(record.key);
        if (!files) return files.error();
        glance.files = files->size();
      }
    }
    glance.record = std::move(record);
    overview.cases.push_back(std::move(glance));
  }
  return overview;
}

}  // namespace meldpunt::adviser::usecase
