#include "SettingsDialog.hpp"
#include "UiText.hpp"

#include "plugin/ingest/IngestUrl.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace goaway::ui {

namespace {

/// Range of the keyframe wait: the output's own property accepts the same (OutputSettings.cpp).
constexpr int kMinKeyframeWaitMs = 500;
constexpr int kMaxKeyframeWaitMs = 60000;
/// Height of the backup URL box in lines: YouTube's one backup plus a few regions show at once.
constexpr int kBackupUrlsVisibleLines = 3;
/// Video bitrate range of the dock's own encoder (kbps): from a phone-grade stream to 4K.
constexpr int kMinVideoKbps = 200;
constexpr int kMaxVideoKbps = 100000;

void selectData(QComboBox *box, const QString &value)
{
	const int i = box->findData(value);
	box->setCurrentIndex(i >= 0 ? i : 0);
}

} // namespace

SettingsDialog::SettingsDialog(const DockSettings &initial, QWidget *parent, const QStringList &lastSources)
	: QDialog(parent)
{
	setObjectName("goawaySettingsDialog");
	setWindowTitle(uiText("Settings.Title"));
	auto *layout = new QVBoxLayout(this);
	auto *form = new QFormLayout();
	form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

	server_ = new QLineEdit(initial.server, this);
	server_->setObjectName("goawayServer");
	server_->setPlaceholderText("rtmp://ingest.example.com/live");
	form->addRow(uiText("Settings.Server"), server_);

	auto *keyRow = new QHBoxLayout();
	key_ = new QLineEdit(initial.key, this);
	key_->setObjectName("goawayKey");
	key_->setEchoMode(QLineEdit::Password);
	showKey_ = new QCheckBox(uiText("Settings.ShowKey"), this);
	showKey_->setObjectName("goawayShowKey");
	connect(showKey_, &QCheckBox::toggled, this,
		[this](bool show) { key_->setEchoMode(show ? QLineEdit::Normal : QLineEdit::Password); });
	keyRow->addWidget(key_, 1);
	keyRow->addWidget(showKey_);
	form->addRow(uiText("Settings.Key"), keyRow);

	resolver_ = new QComboBox(this);
	resolver_->setObjectName("goawayResolver");
	resolver_->addItem(uiText("Settings.Resolver.Off"), "off");
	resolver_->addItem(uiText("Settings.Resolver.IngestList"), "ingest-list");
	resolver_->addItem(uiText("Settings.Resolver.Dns"), "dns");
	selectData(resolver_, initial.resolver);
	form->addRow(uiText("Settings.Resolver"), resolver_);

	ingestListUrl_ = new QLineEdit(initial.ingestListUrl, this);
	ingestListUrl_->setObjectName("goawayIngestListUrl");
	ingestListUrl_->setPlaceholderText("https://");
	form->addRow(uiText("Settings.IngestListUrl"), ingestListUrl_);

	auto *backupBox = new QVBoxLayout();
	backupUrls_ = new QPlainTextEdit(initial.backupUrls, this);
	backupUrls_->setObjectName("goawayBackupUrls");
	backupUrls_->setPlaceholderText("rtmp://b.rtmp.youtube.com/live2?backup=1");
	backupUrls_->setToolTip(uiText("Settings.BackupUrls.Tooltip"));
	backupUrls_->setLineWrapMode(QPlainTextEdit::NoWrap);
	backupUrls_->setTabChangesFocus(true);
	backupUrls_->setFixedHeight(backupUrls_->fontMetrics().lineSpacing() * kBackupUrlsVisibleLines +
				    2 * backupUrls_->frameWidth() + 8);
	backupUrlsError_ = new QLabel(this);
	backupUrlsError_->setObjectName("goawayBackupUrlsError");
	backupUrlsError_->setWordWrap(true);
	backupUrlsError_->setStyleSheet("color: #d9534f");
	backupUrlsError_->hide();
	backupBox->addWidget(backupUrls_);
	backupBox->addWidget(backupUrlsError_);
	form->addRow(uiText("Settings.BackupUrls"), backupBox);

	auto *sources = new QLabel(lastSources.isEmpty() ? uiText("Settings.LastSources.None")
							 : lastSources.join(QLatin1Char('\n')),
				   this);
	sources->setObjectName("goawayLastSources");
	sources->setWordWrap(true);
	sources->setTextFormat(Qt::PlainText); // reasons quote what a server or resolver sent
	sources->setTextInteractionFlags(Qt::TextSelectableByMouse);
	form->addRow(uiText("Settings.LastSources"), sources);

	handoffMode_ = new QComboBox(this);
	handoffMode_->setObjectName("goawayHandoffMode");
	handoffMode_->addItem(uiText("Settings.HandoffMode.MakeBeforeBreak"), "make-before-break");
	handoffMode_->addItem(uiText("Settings.HandoffMode.BreakBeforeMake"), "break-before-make");
	selectData(handoffMode_, initial.handoffMode);
	form->addRow(uiText("Settings.HandoffMode"), handoffMode_);

	maxKeyframeWait_ = new QSpinBox(this);
	maxKeyframeWait_->setObjectName("goawayMaxKeyframeWait");
	maxKeyframeWait_->setRange(kMinKeyframeWaitMs, kMaxKeyframeWaitMs);
	maxKeyframeWait_->setSingleStep(500);
	maxKeyframeWait_->setSuffix(" ms");
	maxKeyframeWait_->setValue(initial.maxKeyframeWaitMs);
	form->addRow(uiText("Settings.MaxKeyframeWait"), maxKeyframeWait_);

	announceGoAway_ = new QCheckBox(uiText("Settings.AnnounceGoAway"), this);
	announceGoAway_->setObjectName("goawayAnnounceGoAway");
	announceGoAway_->setChecked(initial.announceGoAway);
	announceGoAway_->setToolTip(uiText("Settings.AnnounceGoAway.Tip"));
	form->addRow(QString(), announceGoAway_);

	videoBitrate_ = new QSpinBox(this);
	videoBitrate_->setObjectName("goawayVideoBitrate");
	videoBitrate_->setRange(kMinVideoKbps, kMaxVideoKbps);
	videoBitrate_->setSingleStep(100);
	videoBitrate_->setSuffix(" kbps");
	videoBitrate_->setValue(initial.videoBitrateKbps);
	form->addRow(uiText("Settings.VideoBitrate"), videoBitrate_);

	followMain_ = new QCheckBox(uiText("Settings.FollowMainStream"), this);
	followMain_->setObjectName("goawayFollowMain");
	followMain_->setChecked(initial.followMainStream);
	followMain_->setToolTip(uiText("Settings.FollowMainStream.Tip"));
	form->addRow(QString(), followMain_);

	mainButton_ = new QCheckBox(uiText("Settings.MainButton"), this);
	mainButton_->setObjectName("goawayMainButton");
	mainButton_->setChecked(initial.mainButtonUsesPlugin);
	mainButton_->setToolTip(uiText("Settings.MainButton.Tip"));
	form->addRow(QString(), mainButton_);
	layout->addLayout(form);

	auto *note = new QLabel(uiText("Settings.ProfileNote"), this);
	note->setWordWrap(true);
	layout->addWidget(note);

	auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
	buttons->button(QDialogButtonBox::Ok)->setText(uiText("Settings.Ok"));
	buttons->button(QDialogButtonBox::Cancel)->setText(uiText("Settings.Cancel"));
	connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
	connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
	layout->addWidget(buttons);

	connect(resolver_, &QComboBox::currentIndexChanged, this, &SettingsDialog::updateEnabled);
	connect(followMain_, &QCheckBox::toggled, this, &SettingsDialog::updateEnabled);
	connect(mainButton_, &QCheckBox::toggled, this, &SettingsDialog::updateEnabled);
	updateEnabled();
	resize(520, sizeHint().height());
}

void SettingsDialog::updateEnabled()
{
	ingestListUrl_->setEnabled(resolver_->currentData().toString() == QLatin1String("ingest-list"));
	// Sharing the main stream's encoders means its bitrate applies.
	videoBitrate_->setEnabled(!followMain_->isChecked());
	// The main stream cannot also start this output when it already is this output.
	followMain_->setEnabled(!mainButton_->isChecked());
}

void SettingsDialog::accept()
{
	const auto backups = ingest::parseBackupUrls(backupUrls_->toPlainText().toStdString());
	if (!backups) {
		backupUrlsError_->setText(
			uiText("Settings.BackupUrls.Invalid").arg(QString::fromStdString(backups.error().message)));
		backupUrlsError_->show();
		backupUrls_->setFocus();
		return;
	}
	backupUrlsError_->hide();
	QDialog::accept();
}

DockSettings SettingsDialog::settings() const
{
	DockSettings s;
	s.server = server_->text().trimmed();
	s.key = key_->text().trimmed();
	s.resolver = resolver_->currentData().toString();
	s.ingestListUrl = ingestListUrl_->text().trimmed();
	s.backupUrls = backupUrls_->toPlainText().trimmed();
	s.handoffMode = handoffMode_->currentData().toString();
	s.maxKeyframeWaitMs = maxKeyframeWait_->value();
	s.announceGoAway = announceGoAway_->isChecked();
	s.videoBitrateKbps = videoBitrate_->value();
	s.mainButtonUsesPlugin = mainButton_->isChecked();
	s.followMainStream = followMain_->isChecked() && !s.mainButtonUsesPlugin;
	return s;
}

} // namespace goaway::ui
