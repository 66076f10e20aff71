# frozen_string_literal: true

class FulfilWorker
  include Sidekiq::Job

  def perform(order_id)
    Order.find(order_id).fulfil!
  end
end

class CheckoutWorker
  include Sidekiq::Job

  def perform(cart_id)
    order = Order.transaction do
      Order.create_from_cart!(cart_id)
    end
    FulfilWorker.perform_async(order.id)
  end
end
