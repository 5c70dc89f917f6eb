#include "veil/app/report/heatmap.hpp"

#include <cmath>

#include "veil/common/error.hpp"

namespace veil::app {

void Heatmap::validate() const {
  const std::size_t expected = row_labels.size() * column_labels.size();
  if (values.size() != expected)
    throw InvalidArgument("heat map '" + title + "': " + std::to_string(values.size()) + " values, expected " +
                          std::to_string(row_labels.size()) + " rows x " + std::to_string(column_labels.size()) +
                          " columns = " + std::to_string(expected));
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isnan(values[i]) && !(values[i] >= 0.0 && values[i] <= 1.0))
      throw InvalidArgument("heat map '" + title + "': value " + std::to_string(values[i]) + " at index " +
                            std::to_string(i) + ", expected a fraction in [0, 1] or NaN");
}

}  // namespace veil::app
