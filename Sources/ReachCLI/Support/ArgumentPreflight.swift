import ArgumentParser
import ReachGeo

/// Checks the command line before swift-argument-parser sees it (issue 10, part 7):
/// - an option the command does not have is reported as such, with the nearest option by edit
///   distance (`--branchs` → "did you mean '--branches'?"), instead of a later, unrelated
///   complaint ("--branches is required");
/// - a negative number after an option that takes a value (`--branches -3`) is passed as that
///   option's value (`--branches=-3`), so that the command's own range check answers, instead
///   of "Missing value".
///
/// The options of each command are read from its generated help, so the list never drifts from
/// the declarations.
enum ArgumentPreflight {
    /// Options every command accepts (argument-parser's own).
    static let builtIn: Set<String> = ["--help", "--version", "--experimental-dump-help", "--generate-completion-script"]

    /// The command line, with negative option values attached; throws ``UsageError`` for an
    /// unknown option.
    static func check(_ arguments: [String]) throws -> [String] {
        let subcommands = ReachCommand.configuration.subcommands
        guard let subIndex = arguments.firstIndex(where: { !$0.hasPrefix("-") }),
              let sub = subcommands.first(where: { $0._commandName == arguments[subIndex] }) else {
            return arguments
        }
        let (valued, flags) = options(of: sub)
        var out = Array(arguments[...subIndex])
        var i = subIndex + 1
        while i < arguments.count {
            let a = arguments[i]
            if a == "--" { out += arguments[i...]; break }
            guard a.hasPrefix("--") else { out.append(a); i += 1; continue }
            let name = a.split(separator: "=", maxSplits: 1).first.map(String.init) ?? a
            if builtIn.contains(name) || flags.contains(name) { out.append(a); i += 1; continue }
            guard valued.contains(name) else {
                let known = (valued.union(flags)).sorted()
                var message = "unknown option \(ErrorText.quoted(name)) for 'reach \(sub._commandName)'"
                if let nearest = nearest(to: name, among: known) { message += "; did you mean '\(nearest)'?" }
                throw UsageError(message + " (see 'reach \(sub._commandName) --help')")
            }
            if !a.contains("="), i + 1 < arguments.count, looksNegative(arguments[i + 1]) {
                out.append(a + "=" + arguments[i + 1]); i += 2; continue
            }
            out.append(a)
            // The next word is this option's value, whatever it looks like.
            if !a.contains("="), i + 1 < arguments.count { out.append(arguments[i + 1]); i += 2 } else { i += 1 }
        }
        return out
    }

    /// `-3`, `-0.5`, `-.5`, `-1e9`, `-inf`, `-nan`: a value, not an option.
    static func looksNegative(_ s: String) -> Bool {
        guard s.hasPrefix("-"), s.count > 1 else { return false }
        let rest = s.dropFirst()
        if let c = rest.first, c.isNumber || c == "." { return true }
        return ["inf", "infinity", "nan"].contains(rest.lowercased())
    }

    /// The long options of `command` that take a value, and its flags, from its help text
    /// (`--name <value>` takes a value; `--name` alone is a flag).
    static func options(of command: any ParsableCommand.Type) -> (valued: Set<String>, flags: Set<String>) {
        let help = ReachCommand.helpMessage(for: command, includeHidden: true, columns: 10_000)
        var valued = Set<String>(), flags = Set<String>()
        let words = help.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," || $0 == "\t" || $0 == "(" || $0 == ")" || $0 == "[" || $0 == "]" })
        for (k, w) in words.enumerated() where w.hasPrefix("--") && w.count > 2 {
            let name = String(w.prefix(while: { $0 == "-" || $0.isLetter || $0.isNumber }))
            guard name.count > 2 else { continue }
            if k + 1 < words.count, words[k + 1].hasPrefix("<") { valued.insert(name) } else { flags.insert(name) }
        }
        return (valued, flags.subtracting(valued))
    }

    /// The closest name by Levenshtein distance, when it is close enough to be a likely typo.
    static func nearest(to name: String, among candidates: [String]) -> String? {
        var best: (String, Int)? = nil
        for c in candidates {
            let d = editDistance(name, c)
            if let b = best, d >= b.1 { continue }
            best = (c, d)
        }
        guard let (candidate, distance) = best else { return nil }
        return distance <= max(2, (name.count - 2) / 3) ? candidate : nil
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
