public import Foundation

/// Finds the resources Countersign ships — fonts, sample templates with their clause library, the
/// demo's fixtures — from where the running program is, never from a path compiled into it.
///
/// Order, for each resource:
/// 1. its own environment variable, when it has one (`COUNTERSIGN_FONTS` for the fonts);
/// 2. `$COUNTERSIGN_HOME/<Folder>`;
/// 3. `<prefix>/share/countersign/<Folder>` for an executable in `<prefix>/bin` (what
///    `scripts/install --prefix DIR` lays out; symbolic links to the executable are followed);
/// 4. a development build: the nearest directory above the executable that holds `Package.swift`
///    and `<Folder>` (the checkout a `.build/…/countersign` was built in).
///
/// A resource found nowhere is a `ResourceError` naming every place looked at and what to do;
/// nothing falls back silently.
public struct ResourceLocator: Sendable {
    /// A folder of shipped resources.
    public struct Resource: Sendable, Hashable, CustomStringConvertible {
        /// The folder's name under the resource root (`Fonts`, `Templates`, `Fixtures`).
        public let folder: String
        /// The environment variable that names this folder directly, if any.
        public let variable: String?

        public init(folder: String, variable: String? = nil) {
            self.folder = folder
            self.variable = variable
        }

        /// The shipped fonts (`Fonts/`); `COUNTERSIGN_FONTS` overrides.
        public static let fonts = Resource(folder: "Fonts", variable: "COUNTERSIGN_FONTS")
        /// The sample templates and their clause library (`Templates/`, `Templates/clauses/`).
        public static let templates = Resource(folder: "Templates")
        /// The demo's sample data (`Fixtures/leads.csv`, `Fixtures/audit-events.json`).
        public static let fixtures = Resource(folder: "Fixtures")

        public var description: String { folder }
    }

    /// The environment variable naming the resource root.
    public static let homeVariable = "COUNTERSIGN_HOME"

    /// The process environment the locator reads.
    public var environment: [String: String]
    /// The running executable (symbolic links resolved), or nil when it cannot be found.
    public var executable: URL?

    /// A locator for this process: its environment and its executable.
    public static var standard: ResourceLocator {
        ResourceLocator(environment: ProcessInfo.processInfo.environment, executable: currentExecutable())
    }

    public init(environment: [String: String], executable: URL?) {
        self.environment = environment
        self.executable = executable?.resolvingSymlinksInPath()
    }

    /// The directory of `resource`, or a `ResourceError` naming where it looked.
    public func directory(_ resource: Resource) throws(ResourceError) -> URL {
        var looked: [String] = []
        if let variable = resource.variable, let path = environment[variable], !path.isEmpty {
            let url = URL(fileURLWithPath: path)
            if Self.isDirectory(url) { return url.standardizedFileURL }
            throw ResourceError(.missing, "\(path): no such directory (\(variable) names the \(resource) folder) — "
                                + "point \(variable) at Countersign's \(resource) folder, or unset it")
        }
        if let home = environment[Self.homeVariable], !home.isEmpty {
            let url = URL(fileURLWithPath: home).appendingPathComponent(resource.folder)
            if Self.isDirectory(url) { return url.standardizedFileURL }
            throw ResourceError(.missing, "\(url.path): no such directory (\(Self.homeVariable) is \(home)) — "
                                + "point \(Self.homeVariable) at the folder that holds Fonts/, Templates/ and Fixtures/ "
                                + "(<prefix>/share/countersign after scripts/install), or unset it")
        }
        for candidate in candidates(resource) {
            if Self.isDirectory(candidate) { return candidate.standardizedFileURL }
            looked.append(candidate.standardizedFileURL.path)
        }
        let executablePath = executable?.path ?? "the executable (its path is unknown)"
        throw ResourceError(.missing, "\(resource) not found beside \(executablePath) (looked in "
                            + (looked.isEmpty ? "nothing" : looked.joined(separator: ", "))
                            + ") — install with scripts/install --prefix DIR, or set \(Self.homeVariable) "
                            + "to the folder that holds \(resource)/")
    }

    /// A file inside a resource folder (e.g. `Fixtures`, `leads.csv`), which must exist.
    public func file(_ resource: Resource, _ relativePath: String) throws(ResourceError) -> URL {
        let url = try directory(resource).appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ResourceError(.missing, "\(url.path): no such file (a shipped \(resource) file) — "
                                + "reinstall with scripts/install, or set \(Self.homeVariable) to a complete copy")
        }
        return url
    }

    /// Where the resource would be relative to the executable, in the order they are tried.
    func candidates(_ resource: Resource) -> [URL] {
        guard let executable else { return [] }
        let bin = executable.deletingLastPathComponent()
        var urls = [bin.deletingLastPathComponent().appendingPathComponent("share/countersign")
            .appendingPathComponent(resource.folder)]
        // A development build: .build/<triple>/<configuration>/countersign, or a test bundle there.
        var directory = bin
        for _ in 0..<6 {
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                urls.append(directory.appendingPathComponent(resource.folder))
                break
            }
        }
        return urls
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The running executable: `/proc/self/exe` (a program started through `PATH` has only its
    /// name in `argv[0]`), else the main bundle's executable.
    public static func currentExecutable() -> URL? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return Bundle.main.executableURL
    }
}

/// A shipped resource that cannot be found: a broken or incomplete installation, not bad input.
public struct ResourceError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The folder or file is not where the locator looked.
        public static let missing = Code("missing")
    }

    public let code: Code
    public let reason: String
    public let fileID: String
    public let line: Int

    public init(_ code: Code, _ reason: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.fileID = fileID
        self.line = line
    }

    public var description: String { reason }
    public static func == (lhs: ResourceError, rhs: ResourceError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
