/// Where a byte offset of UTF-8 text is, as people count: line and column from 1, columns in
/// characters (UTF-8 continuation bytes are not counted).
public enum TextPosition {
    public static func lineAndColumn(of offset: Int, in bytes: some Collection<UInt8>) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for byte in bytes.prefix(max(0, offset)) {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}
