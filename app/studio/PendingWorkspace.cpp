#include "PendingWorkspace.h"

#include <QLabel>
#include <QVBoxLayout>

namespace hepgen::studio {

PendingWorkspace::PendingWorkspace(
    const QString& title, const QString& purpose, const QString& arrivesWith, QWidget* parent)
    : QWidget(parent)
{
    auto* label = new QLabel(this);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setTextFormat(Qt::RichText);
    label->setText(QStringLiteral("<h2>%1</h2><p style='max-width:40em'>%2</p><p style='color:#707070'><i>%3</i></p>")
                       .arg(title.toHtmlEscaped(), purpose.toHtmlEscaped(), arrivesWith.toHtmlEscaped()));
    auto* layout = new QVBoxLayout(this);
    layout->addStretch();
    layout->addWidget(label);
    layout->addStretch();
}

} // namespace hepgen::studio
