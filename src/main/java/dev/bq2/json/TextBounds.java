package dev.bq2.json;

/**
 * Upper bounds for text we store or pass on, all far below what our reader accepts
 * ({@link Json#MAX_STRING_CHARS}) and below what the kernel lets one argument or environment
 * string be (MAX_ARG_STRLEN, 128 KiB): a build that prints 20 million characters into an error
 * must not leave a state file that `status` then calls corrupt. See docs/formats.md.
 */
public final class TextBounds {
  /** Error texts stored in the state file and journal messages. */
  public static final int STORED_TEXT = 16 * 1024;
  /** Any other string value in a journal event's data. */
  public static final int JOURNAL_VALUE = 64 * 1024;
  /** One configure flag of a proposal. */
  public static final int FLAG = 4 * 1024;
  /** One env value of a proposal. */
  public static final int ENV_VALUE = 8 * 1024;
  /** A proposal's rationale. */
  public static final int RATIONALE = 2 * 1024;
  /** One argument or environment string of a step command (kernel MAX_ARG_STRLEN, 128 KiB, less room). */
  public static final int ARG = 128 * 1024 - 1024;
  /** Flags of one step (a command line is at most ARG_MAX, 2 MiB by default, with the environment). */
  public static final int STEP_FLAGS = 4096;
  /** Bytes of one step's flags plus its environment together. */
  public static final int STEP_ARGV_BYTES = 1024 * 1024;

  /** Any string in any JSON file we write (the net in {@link AtomicFile#writeJson}). */
  public static final int ANY_STRING = 1_000_000;

  private TextBounds() {}

  /** Cuts every string longer than {@code max} in the tree, in place; true if any was cut. */
  static boolean clipStrings(com.fasterxml.jackson.databind.JsonNode node, int max) {
    boolean cut = false;
    if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
      for (java.util.Iterator<java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = o.properties().iterator(); it.hasNext(); ) {
        java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e = it.next();
        if (e.getValue().isTextual() && e.getValue().textValue().length() > max) {
          e.setValue(com.fasterxml.jackson.databind.node.TextNode.valueOf(clip(e.getValue().textValue(), max)));
          cut = true;
        } else {
          cut |= clipStrings(e.getValue(), max);
        }
      }
    } else if (node instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i).isTextual() && a.get(i).textValue().length() > max) {
          a.set(i, com.fasterxml.jackson.databind.node.TextNode.valueOf(clip(a.get(i).textValue(), max)));
          cut = true;
        } else {
          cut |= clipStrings(a.get(i), max);
        }
      }
    }
    return cut;
  }

  /** {@code text} cut to at most {@code max} chars, saying how much was cut; null stays null. */
  public static String clip(String text, int max) {
    if (text == null || text.length() <= max) return text;
    String note = " … [" + (text.length() - max) + " more chars cut]";
    int keep = Math.max(0, max - note.length());
    // never split a surrogate pair: the cut text must still be valid UTF-16 / UTF-8
    if (keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1))) keep--;
    return text.substring(0, keep) + note;
  }
}
