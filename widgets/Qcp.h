#pragma once
// The one way to include QCustomPlot: it uses Qt's `signals`/`slots`/`foreach` keywords, which we
// disable (QT_NO_KEYWORDS) because they clash with LibTorch. Include from widgets/*.cpp only, and
// never in a translation unit that includes torch.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef foreach
