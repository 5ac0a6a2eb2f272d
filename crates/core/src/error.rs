//! Stable error codes (as in lemmy): storage and web raise a code, the UI
//! shows its Vietnamese message. Codes never change meaning once shipped.
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    Required,
    TooLong,
    InvalidText,
    InvalidDate,
    InvalidChoice,
    UsernameTaken,
    UsernameFormat,
    PasswordTooShort,
    PasswordMismatch,
    WrongPassword,
    BadCredentials,
    Throttled,
    AlreadySetUp,
    UnitCodeTaken,
    UnitNotFound,
    UnitNotActive,
    EffectiveTooEarly,
    TreeCycle,
    NeedsReceiver,
    NeedsTwoUnits,
    NothingChanges,
    ImportInvalid,
    InvalidSymbol,
    UnknownDocType,
    DocumentExists,
    NoIssuerCode,
    UnsupportedFile,
    FileTooLarge,
    PdfUnavailable,
    AmbiguousDocument,
    InvalidNumber,
    DocumentNotFound,
    PdfBusy,
    InvalidDue,
    DueOrder,
    NoTargets,
    InvalidFigure,
    PresentOverScope,
    AttendanceMismatch,
    MakeupOverAbsent,
    ReflectionsOverAttended,
    HeldInFuture,
    HeldBeforeLaunch,
    HeldRequired,
    PeriodLocked,
    AlreadySubmitted,
    NotSubmitted,
    ObligationNotFound,
    CampaignNotFound,
    NotFound,
    Forbidden,
    Unauthenticated,
    CsrfFailed,
    StaleForm,
    PayloadTooLarge,
    BadRequest,
    Internal,
}

impl Code {
    pub fn message(self) -> &'static str {
        match self {
            Code::Required => "Trường này không được để trống.",
            Code::TooLong => "Nội dung quá dài.",
            Code::InvalidText => "Nội dung có ký tự không hợp lệ.",
            Code::InvalidDate => "Ngày không hợp lệ (dd/mm/yyyy).",
            Code::InvalidChoice => "Lựa chọn không hợp lệ.",
            Code::UsernameTaken => "Tên đăng nhập đã có người dùng.",
            Code::UsernameFormat => {
                "Tên đăng nhập chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới (3–64 ký tự)."
            }
            Code::PasswordTooShort => "Mật khẩu phải có ít nhất 10 ký tự.",
            Code::PasswordMismatch => "Hai lần nhập mật khẩu không khớp.",
            Code::WrongPassword => "Mật khẩu hiện tại không đúng.",
            Code::BadCredentials => "Tên đăng nhập hoặc mật khẩu không đúng.",
            Code::Throttled => "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.",
            Code::AlreadySetUp => "Hệ thống đã được khởi tạo.",
            Code::UnitCodeTaken => "Mã đơn vị đã tồn tại.",
            Code::UnitNotFound => "Không tìm thấy đơn vị.",
            Code::UnitNotActive => "Đơn vị không còn hoạt động vào ngày hiệu lực.",
            Code::EffectiveTooEarly => "Ngày hiệu lực phải sau lần thay đổi gần nhất của đơn vị.",
            Code::TreeCycle => {
                "Không thể chuyển đơn vị vào chính nó hoặc vào đơn vị cấp dưới của nó."
            }
            Code::NeedsReceiver => {
                "Đơn vị còn đảng viên hoặc đơn vị trực thuộc: hãy chọn nơi tiếp nhận."
            }
            Code::NeedsTwoUnits => "Hãy chọn ít nhất hai đơn vị khác nhau.",
            Code::NothingChanges => "Không có gì thay đổi.",
            Code::ImportInvalid => "Tệp có dòng không hợp lệ; chưa ghi dữ liệu nào.",
            Code::InvalidSymbol => {
                "Số và ký hiệu không đúng mẫu: văn bản Đảng ghi như 35-CT/TW, văn bản nhà nước như 08/NQ-CP."
            }
            Code::UnknownDocType => "Loại văn bản này không có trong danh mục thể loại văn bản.",
            Code::DocumentExists => {
                "Đã có văn bản cùng cơ quan ban hành, loại, nhiệm kỳ và số này trong sổ."
            }
            Code::NoIssuerCode => {
                "Đơn vị chưa có ký hiệu cơ quan ban hành (ví dụ ĐUK); hãy khai báo trước khi ban hành văn bản."
            }
            Code::UnsupportedFile => {
                "Loại tệp không được hỗ trợ: chỉ nhận PDF, DOCX, XLSX và ảnh (PNG, JPEG, GIF, WebP)."
            }
            Code::FileTooLarge => "Tệp vượt quá dung lượng cho phép.",
            Code::PdfUnavailable => {
                "Máy chủ chưa cài LibreOffice nên chưa tạo được PDF; hãy tải bản Word (DOCX)."
            }
            Code::InvalidNumber => "Số văn bản phải là số nguyên dương, tối đa 6 chữ số.",
            Code::DocumentNotFound => "Không có văn bản này trong sổ.",
            Code::PdfBusy => "Máy chủ đang tạo một bản PDF khác; vui lòng thử lại sau giây lát.",
            Code::AmbiguousDocument => {
                "Có nhiều văn bản cùng số và ký hiệu; hãy ghi thêm ngày ban hành để chọn đúng văn bản."
            }
            Code::InvalidDue => {
                "Hạn không hợp lệ: ghi ngày (dd/mm/yyyy), \"trong 30 ngày\" hoặc \"quý I/2026\"."
            }
            Code::DueOrder => {
                "Các hạn phải theo thứ tự: học tập, rồi chương trình hành động, rồi báo cáo, và sau ngày triển khai."
            }
            Code::NoTargets => "Đợt chưa có đơn vị nào phải thực hiện.",
            Code::InvalidFigure => "Số liệu phải là số nguyên không âm, tối đa 9 chữ số.",
            Code::PresentOverScope => {
                "Số đảng viên có mặt không được lớn hơn số đảng viên phải học tập."
            }
            Code::AttendanceMismatch => {
                "Có mặt + vắng có lý do + vắng không lý do phải bằng số đảng viên phải học tập."
            }
            Code::MakeupOverAbsent => "Số học bù không được lớn hơn số vắng mặt.",
            Code::ReflectionsOverAttended => {
                "Số bài thu hoạch không được lớn hơn số đảng viên đã học (có mặt và học bù)."
            }
            Code::HeldInFuture => "Ngày học tập không được sau hôm nay.",
            Code::HeldBeforeLaunch => "Ngày học tập không được trước ngày triển khai đợt.",
            Code::HeldRequired => "Cần ghi ngày tổ chức học tập trước khi gửi báo cáo.",
            Code::PeriodLocked => {
                "Đợt đã khóa sổ báo cáo: không nhận báo cáo hay đính chính nữa. Hãy liên hệ văn phòng cấp ủy."
            }
            Code::AlreadySubmitted => {
                "Báo cáo đã được gửi (có thể từ một cửa sổ khác). Muốn sửa, hãy gửi đính chính kèm lý do."
            }
            Code::NotSubmitted => "Báo cáo chưa được gửi nên chưa thể đính chính.",
            Code::ObligationNotFound => "Không tìm thấy nhiệm vụ báo cáo của đơn vị trong đợt này.",
            Code::CampaignNotFound => "Không tìm thấy đợt học tập, quán triệt.",
            Code::NotFound => "Không tìm thấy trang hoặc dữ liệu yêu cầu.",
            Code::Forbidden => "Bạn không có quyền thực hiện thao tác này.",
            Code::Unauthenticated => "Bạn cần đăng nhập.",
            Code::CsrfFailed => {
                "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại."
            }
            Code::StaleForm => {
                "Dữ liệu đã được người khác thay đổi. Vui lòng tải lại trang để xem bản mới nhất."
            }
            Code::PayloadTooLarge => "Dữ liệu gửi lên quá lớn.",
            Code::BadRequest => "Dữ liệu gửi lên không hợp lệ. Vui lòng kiểm tra lại.",
            Code::Internal => "Đã xảy ra lỗi hệ thống.",
        }
    }
}

/// A validation failure tied to one form field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub code: Code,
}

impl FieldError {
    pub fn new(field: &'static str, code: Code) -> Self {
        FieldError { field, code }
    }
}
