"""A batch id kept on a record and read back later: `import.update(batch_id: batch.bid)`
(or `record.batch_id = batch.bid`), then `Sidekiq::Batch.new(import.batch_id)` in a
callback or another job. The attribute's name ties the two: within one workflow, reading
an attribute a bid was written to gives that bid back, so the reopen finds its batch.
"""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from batch2flow.analysis.values import BidValue, Value
from batch2flow.ruby import nodes
from batch2flow.ruby.nodes import Call

#: ActiveRecord's writers that take attribute: value pairs
_WRITERS = frozenset({"update", "update!", "update_columns", "update_attributes", "update_attributes!",
                      "assign_attributes", "create", "create!"})
#: and those that take the attribute and the value
_SINGLE_WRITERS = frozenset({"update_column", "update_attribute"})


class StoredBids:
    def __init__(self) -> None:
        #: attribute name -> the batch whose bid was written to it
        self.by_attribute: dict[str, str] = {}

    def write_call(self, call: Call, evaluate: Callable[[Node], Value]) -> None:
        """Note the bids `call` writes to attributes, if it is such a writer. Only a value
        that reads a bid (`batch.bid`, `bid`) is evaluated here: the call's arguments are
        read again as usual, and nothing may run twice."""
        if call.method in _SINGLE_WRITERS and len(call.args) == 2:
            name = nodes.literal_string(call.args[0])
            if name is not None and _reads_a_bid(call.args[1]):
                self.write(name, evaluate(call.args[1]))
        elif call.method in _WRITERS:
            for key, _, value in nodes.hash_entries(call.args):
                if key is not None and _reads_a_bid(value):
                    self.write(key, evaluate(value))

    def write(self, attribute: str, value: Value) -> None:
        if isinstance(value, BidValue) and value.batch_id is not None:
            self.by_attribute[attribute] = value.batch_id

    def read(self, call: Call) -> BidValue | None:
        """`record.batch_id`: the bid written to `batch_id` earlier in the workflow."""
        if call.receiver is None or call.args or call.block is not None:
            return None
        found = self.by_attribute.get(call.method)
        return BidValue(found) if found is not None else None


def _reads_a_bid(node: Node) -> bool:
    return node.type in ("identifier", "call") and nodes.text(node).endswith("bid")
