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
            let code = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError).map { Int32($0.code) }
            throw InputError(file: name, "cannot read the file: \(code.map(ErrorText.errnoText) ?? "read error")")
        }
    }
}
