// A tiny CBOR structure walker: describes how each item is encoded (major
// type, definite/indefinite length, tags, simple values, integer width) so the
// fixtures README can state the exact wire encoding, not just the decoded value.

const MAJOR = ["uint", "nint", "bytes", "text", "array", "map", "tag", "simple/float"]

export function walk(buf) {
  const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let pos = 0

  function readArg(info) {
    if (info < 24) return { value: info, width: 0 }
    if (info === 24) return { value: bytes[pos++], width: 1 }
    if (info === 25) {
      const v = dv.getUint16(pos)
      pos += 2
      return { value: v, width: 2 }
    }
    if (info === 26) {
      const v = dv.getUint32(pos)
      pos += 4
      return { value: v, width: 4 }
    }
    if (info === 27) {
      const v = dv.getBigUint64(pos)
      pos += 8
      return { value: Number(v), width: 8 }
    }
    if (info === 31) return { value: null, width: -1 } // indefinite
    throw new Error(`reserved additional info ${info} at ${pos - 1}`)
  }

  function item() {
    const start = pos
    const ib = bytes[pos++]
    const major = ib >> 5
    const info = ib & 0x1f
    if (major === 7) {
      if (info === 20) return { enc: "false", start }
      if (info === 21) return { enc: "true", start }
      if (info === 22) return { enc: "null", start }
      if (info === 23) return { enc: "undefined (simple 23, 0xf7)", start }
      if (info === 25) {
        pos += 2
        return { enc: "float16", start }
      }
      if (info === 26) {
        const v = dv.getFloat32(pos)
        pos += 4
        return { enc: `float32 ${v}`, start }
      }
      if (info === 27) {
        const v = dv.getFloat64(pos)
        pos += 8
        return { enc: `float64 ${v}`, start }
      }
      if (info < 24) return { enc: `simple ${info}`, start }
      if (info === 24) return { enc: `simple ${bytes[pos++]}`, start }
      throw new Error(`unsupported simple ${info}`)
    }
    const { value, width } = readArg(info)
    const minimal = value === null || value < 24 ? 0 : value < 0x100 ? 1 : value < 0x10000 ? 2 : value < 0x100000000 ? 4 : 8
    const w =
      width <= 0 && minimal === 0
        ? ""
        : width === minimal
          ? ` (${width}-byte argument)`
          : ` (${Math.max(width, 0)}-byte argument, NON-MINIMAL: header 0x${ib.toString(16)}, minimal would be ${minimal === 0 ? "in the initial byte" : minimal + " bytes"})`
    switch (major) {
      case 0:
      case 1:
        return { enc: `${MAJOR[major]} ${major === 1 ? -1 - value : value}${w}`, start }
      case 2:
      case 3: {
        if (value === null) throw new Error("indefinite strings not described")
        const s = bytes.subarray(pos, pos + value)
        pos += value
        if (major === 3) return { enc: `text(${value})${w}`, text: new TextDecoder().decode(s), start }
        return { enc: `bytes(${value}) untagged${w}`, start }
      }
      case 4: {
        const items = []
        if (value === null) {
          while (bytes[pos] !== 0xff) items.push(item())
          pos++
          return { enc: "array(indefinite)", items, start }
        }
        for (let i = 0; i < value; i++) items.push(item())
        return { enc: `array(${value})${w}`, items, start }
      }
      case 5: {
        const entries = []
        const n = value
        const one = () => {
          const k = item()
          const v = item()
          entries.push([k, v])
        }
        if (n === null) {
          while (bytes[pos] !== 0xff) one()
          pos++
          return { enc: "map(indefinite)", entries, start }
        }
        for (let i = 0; i < n; i++) one()
        return { enc: `map(${n})${w}`, entries, start }
      }
      case 6: {
        const inner = item()
        return { enc: `tag(${value}) ${inner.enc}`, inner, start }
      }
    }
    throw new Error("unreachable")
  }

  const root = item()
  if (pos !== bytes.length) throw new Error(`trailing bytes: ${bytes.length - pos}`)
  return root
}

/** Render a walked item as indented lines: `key: encoding`. */
export function describe(node, indent = "", label = "") {
  const lines = []
  const prefix = label ? `${label}: ` : ""
  lines.push(`${indent}${prefix}${node.enc}${node.text !== undefined && !label.endsWith("(key)") ? ` ${JSON.stringify(node.text)}` : ""}`)
  if (node.entries) {
    for (const [k, v] of node.entries) {
      const keyName = k.text !== undefined ? k.text : `<${k.enc}>`
      if (k.text === undefined) lines.push(`${indent}  NON-TEXT KEY ${k.enc}`)
      lines.push(...describe(v, indent + "  ", keyName))
    }
  }
  if (node.items) node.items.forEach((it, i) => lines.push(...describe(it, indent + "  ", `[${i}]`)))
  if (node.inner && (node.inner.entries || node.inner.items)) lines.push(...describe(node.inner, indent + "  ", "(tagged)"))
  return lines
}
