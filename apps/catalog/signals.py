"""What the catalog announces about a track's media, for apps that keep derived files.

The catalog owns tracks and who may open them; streaming builds on it (HLS renditions, play
counts) and depends on the catalog, never the reverse. So the catalog does not call streaming:
it sends these signals once the write has committed, and ``apps.streaming`` connects its
receivers in ``StreamingConfig.ready()`` (queue the HLS transcoding of a track that became
ready, delete the renditions of a deleted track). Without a receiver the catalog works alone.

Each is sent with ``sender=Track`` and ``track_id`` (a string), except the veto below.
"""

from django.dispatch import Signal

#: A track's audio was read and the track moved to ``ready``: its media can be derived.
track_media_ready = Signal()

#: A track row is gone: files derived from its media can go too.
track_deleted = Signal()

#: A track is about to be deleted (sent inside ``track_delete``'s transaction, the track row
#: locked, before anything is written), with ``track`` (the instance). A receiver refuses the
#: deletion by raising an ``ApplicationError``: distribution refuses while the track is at a
#: streaming platform or on its way there. Not sent when the account is erased (Art. 17).
track_delete_requested = Signal()
