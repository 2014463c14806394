#pragma once
// The dock's Settings dialog: edits a copy of DockSettings; every text is a locale string.

#include "DockSettings.hpp"

#include <QDialog>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace goaway::ui {

/** Modal settings for the dock's output. settings() returns the edited values after accept(). */
class SettingsDialog : public QDialog {
	Q_OBJECT

public:
	/** `lastSources`: what each resolver source gave for the latest handoff, one line each
	 *  (OutputStatusModel::resolverSources); empty: none yet. */
	explicit SettingsDialog(const DockSettings &initial, QWidget *parent = nullptr,
				const QStringList &lastSources = {});
	DockSettings settings() const;

	/** OK: closes only when the backup URLs are valid, else shows why under them. */
	void accept() override;

private:
	void updateEnabled();

	QLineEdit *server_ = nullptr;
	QLineEdit *key_ = nullptr;
	QCheckBox *showKey_ = nullptr;
	QComboBox *resolver_ = nullptr;
	QLineEdit *ingestListUrl_ = nullptr;
	QPlainTextEdit *backupUrls_ = nullptr;
	QLabel *backupUrlsError_ = nullptr;
	QComboBox *handoffMode_ = nullptr;
	QSpinBox *maxKeyframeWait_ = nullptr;
	QSpinBox *videoBitrate_ = nullptr;
	QCheckBox *followMain_ = nullptr;
	QCheckBox *announceGoAway_ = nullptr;
	QCheckBox *mainButton_ = nullptr;
};

} // namespace goaway::ui
