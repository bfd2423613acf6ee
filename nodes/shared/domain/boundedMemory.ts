/**
 * What a process remembers for many workflows, executions or secrets, kept to a size: writing a
 * key makes it the newest, and past `max` keys the oldest written is forgotten.
 */
export class BoundedMap<K, V> extends Map<K, V> {
	constructor(private readonly max: number) {
		super();
	}

	override set(key: K, value: V): this {
		this.delete(key);
		super.set(key, value);
		if (this.size > this.max) this.delete(this.keys().next().value as K);
		return this;
	}
}

/** A set kept to `max` values the same way. */
export class BoundedSet<T> extends Set<T> {
	constructor(private readonly max: number) {
		super();
	}

	override add(value: T): this {
		this.delete(value);
		super.add(value);
		if (this.size > this.max) this.delete(this.values().next().value as T);
		return this;
	}
}
