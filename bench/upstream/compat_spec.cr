# Spec-only shims for Crystal 1.6: File::MatchOptions (1.12+) used by src/tar_writer.cr.
class File
  @[Flags]
  enum MatchOptions
    DotFiles
  end
end

class Dir
  def self.glob(patterns : Enumerable, match : File::MatchOptions, follow_symlinks = false) : Array(String)
    glob(patterns, match_hidden: match.dot_files?, follow_symlinks: follow_symlinks)
  end
end

# Digest::CRC32 became a Digest class in Crystal 1.7; 1.6 has the module functions only.
require "digest/crc32"

module Digest::CRC32
  class Instance
    @crc : UInt32 = Digest::CRC32.initial

    def update(data) : self
      @crc = Digest::CRC32.update(data, @crc)
      self
    end

    def final : Bytes
      bytes = Bytes.new(4)
      IO::ByteFormat::BigEndian.encode(@crc, bytes)
      bytes
    end
  end

  def self.new : Instance
    Instance.new
  end
end
