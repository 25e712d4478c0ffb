#include "LogPanel.h"

#include <QDateTime>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QVBoxLayout>

namespace hepgen::studio {

LogPanel::LogPanel(QWidget* parent)
    : QWidget(parent)
    , m_view(new QPlainTextEdit(this))
{
    m_view->setReadOnly(true);
    m_view->setMaximumBlockCount(5000);
    m_view->setPlaceholderText(tr("Messages from loading, training and hunts appear here."));
    auto* clear = new QPushButton(tr("Clear"), this);
    auto* save = new QPushButton(tr("Save…"), this);
    clear->setToolTip(tr("Remove all messages"));
    save->setToolTip(tr("Save the messages to a text file"));
    connect(clear, &QPushButton::clicked, m_view, &QPlainTextEdit::clear);
    connect(save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save messages"), QString(), tr("Text (*.txt)"));
        if (path.isEmpty())
            return;
        QSaveFile f(path);
        if (f.open(QIODevice::WriteOnly | QIODevice::Text)) {
            f.write(m_view->toPlainText().toUtf8());
            if (!f.commit())
                log(Level::Error, tr("Could not write %1.").arg(path));
        } else {
            log(Level::Error, tr("Could not write %1.").arg(path));
        }
    });
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(clear);
    buttons->addWidget(save);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_view);
    layout->addLayout(buttons);
}

void LogPanel::log(Level level, const QString& text)
{
    const QString time = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
    QString color = QStringLiteral("#202020");
    QString tag;
    if (level == Level::Warning) {
        color = QStringLiteral("#a05a00");
        tag = tr("warning: ");
    } else if (level == Level::Error) {
        color = QStringLiteral("#b00020");
        tag = tr("error: ");
    }
    m_view->appendHtml(QStringLiteral("<span style='color:#808080'>%1</span> <span style='color:%2'>%3%4</span>")
                           .arg(time, color, tag.toHtmlEscaped(), text.toHtmlEscaped()));
}

QString LogPanel::text() const { return m_view->toPlainText(); }

} // namespace hepgen::studio
