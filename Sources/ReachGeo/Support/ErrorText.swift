import Foundation

/// The one place that shapes the text of error and warning lines (issue 10, part 7).
///
/// An error is one line on stderr. Values echoed from the user's input go through
/// ``quoted(_:)`` (control characters escaped, cut to ``maximumEchoLength`` characters with an
/// ellipsis); the whole line goes through ``oneLine(_:)`` before it is printed, so a message
/// can never carry a raw newline, a NUL or a terminal escape, whatever was put into it.
public enum ErrorText {
    /// The most characters of an echoed value that a message shows.
    public static let maximumEchoLength = 80
    /// The most characters a whole message line shows.
    public static let maximumLineLength = 1000

    /// `value` for a message: control characters escaped, at most ``maximumEchoLength``
    /// characters (then `…`), in double quotes.
    public static func quoted(_ value: some StringProtocol) -> String {
        "\"" + echo(value) + "\""
    }

    /// `value` escaped and cut as in ``quoted(_:)``, without the quotes.
    public static func echo(_ value: some StringProtocol, limit: Int = maximumEchoLength) -> String {
        var out = ""
        var count = 0
        for scalar in value.unicodeScalars {
            if count >= limit { out += "…"; break }
            out += escape(scalar)
            count += 1
        }
        return out
    }

    /// The message as one printable line: every control character (C0, DEL, C1, line and
    /// paragraph separators) escaped, cut to ``maximumLineLength`` characters.
    public static func oneLine(_ message: some StringProtocol) -> String {
        echo(message, limit: maximumLineLength)
    }

    static func escape(_ s: Unicode.Scalar) -> String {
        switch s.value {
        case 0x00: return "\\0"
        case 0x09: return "\\t"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x01...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0xFEFF:
            return "\\u{" + String(s.value, radix: 16, uppercase: true) + "}"
        default: return String(Character(s))
        }
    }

    /// Plain words for why a file cannot be read, from `stat(2)` and `errno` (never Foundation's
    /// "NSCocoaErrorDomain error 256" or "You don't have permission" for a FIFO).
    public static func unreadableReason(path: String) -> String? {
        var st = stat()
        if stat(path, &st) != 0 { return errnoText(errno) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return "is a directory, not a file"
        default: return "not a regular file (a pipe, socket or device)"
        }
        if access(path, R_OK) != 0 { return errnoText(errno) }
        return nil
    }

    /// Plain words for an errno value.
    public static func errnoText(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "file not found"
        case ENOTDIR: return "a folder on the path is a file"
        case EACCES, EPERM: return "permission denied"
        case EISDIR: return "is a directory, not a file"
        case ELOOP: return "too many symbolic links"
        case ENAMETOOLONG: return "the path is too long"
        case ENOSPC: return "no space left on the device"
        case EROFS: return "read-only file system"
        case EIO: return "input/output error"
        default: return String(cString: strerror(code)).lowercased()
        }
    }
}

extension ErrorText {
    /// Plain words for a Foundation file error (never "NSCocoaErrorDomain error 512"): the
    /// underlying errno when there is one, else the Cocoa error code's meaning; other errors
    /// as they describe themselves.
    public static func plainWords(for error: any Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return errnoText(Int32(truncatingIfNeeded: ns.code)) }
        guard ns.domain == NSCocoaErrorDomain else { return String(describing: error) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return errnoText(Int32(truncatingIfNeeded: underlying.code))
        }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "file not found"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "read-only file system"
        case .fileWriteFileExists: return "the file already exists"
        case .fileReadInvalidFileName, .fileWriteInvalidFileName: return "invalid file name"
        case .fileReadTooLarge: return "the file is too large"
        case .fileReadCorruptFile, .fileReadUnknownStringEncoding, .fileReadInapplicableStringEncoding: return "the file cannot be decoded"
        case .fileReadUnknown: return "read error"
        case .fileWriteUnknown: return "write error"
        default: return "file error \(ns.code)"
        }
    }
}

/// Reading input files with plain-word errors.
public enum InputFile {
    /// The bytes of a regular file; throws ``InputError`` (`FILE: file not found`, `is a
    /// directory`, `not a regular file`, `permission denied`) otherwise.
    public static func read(_ url: URL, displayName: String? = nil, mapped: Bool = false) throws -> Data {
        let name = displayName ?? url.path
        if let reason = ErrorText.unreadableReason(path: url.path) {
            throw InputError(file: name, "cannot read the file: \(reason)")
        }
        do {
            return try Data(contentsOf: url, options: mapped ? .alwaysMapped : [])
        } catch {
            throw InputError(file: name, "cannot read the file: \(ErrorText.plainWords(for: error))")
        }
    }
}
